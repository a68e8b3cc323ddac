// Package hugepage asks the operating system to back large arrays that are
// read at random with 2 MiB pages (Linux transparent huge pages), so that
// most of their TLB misses go away. It is advice only: where it is not
// available, nothing changes, and the values of the array never do.
package hugepage

// Size is the huge page size that Advise aligns to.
const Size = 2 << 20

// minBytes is the smallest array Advise acts on: a smaller one spans too
// few huge pages to matter.
const minBytes = 4 * Size
