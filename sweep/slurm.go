package sweep

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snnsim/snnsim/runner"
)

// SlurmOptions control the job array that SubmitSlurm writes and submits.
type SlurmOptions struct {
	Binary    string // the snnsim executable the tasks run (absolute path)
	Throttle  int    // tasks running at once (--array=…%N); 0: no limit
	Time      string // per-task time limit in a form sbatch accepts; "": estimated
	Mem       string // per-task memory, e.g. "2G"; "": estimated
	Partition string
	JobName   string
	// Speed is the simulated seconds per wall second assumed for the time
	// estimate; 0: measured by a short probe run of the first point.
	Speed float64
	// Extra are further lines of sbatch options ("--account=x").
	Extra []string
	// NoSubmit writes the script without submitting it.
	NoSubmit bool
}

// Estimate is a job array's per-task resources and how they were found.
type Estimate struct {
	Time, Mem string
	How       string
}

// estimate picks a task's time limit and memory: a probe runs the first
// point for up to two seconds of wall time (into a temporary directory) to
// measure its speed and heap; the limit is three times the longest point's
// duration at that speed plus two minutes, the memory twice the heap
// grown by the probe plus 256 MB.
func (s *Sweep) estimate(o SlurmOptions, todo []int) (Estimate, error) {
	e := Estimate{Time: o.Time, Mem: o.Mem}
	if e.Time != "" && e.Mem != "" {
		e.How = "given"
		return e, nil
	}
	longest := 0.0
	for _, i := range todo {
		sc, err := s.Scenario(i)
		if err != nil {
			return e, fmt.Errorf("point %d: %w", i, err)
		}
		longest = max(longest, sc.Duration/1000)
	}
	speed, heap := o.Speed, uint64(0)
	if speed <= 0 || e.Mem == "" {
		sp, h, err := s.probe(todo[0])
		if err != nil {
			return e, fmt.Errorf("probe run of point %d for the time estimate: %w (give --time and --mem)", todo[0], err)
		}
		heap = h
		if speed <= 0 {
			speed = sp
		}
	}
	if e.Time == "" {
		sec := 3*longest/speed + 120
		if math.IsInf(sec, 0) || math.IsNaN(sec) {
			sec = 3600
		}
		m := int(math.Ceil(sec / 60))
		e.Time = fmt.Sprintf("%d:%02d:00", m/60, m%60)
	}
	if e.Mem == "" {
		mb := (2*heap)>>20 + 256
		e.Mem = fmt.Sprintf("%dM", (mb+63)/64*64)
	}
	e.How = fmt.Sprintf("longest point %g s simulated at %.3g simulated s per wall s", longest, speed)
	return e, nil
}

// probe runs point i for up to two seconds of wall time in a temporary
// directory and returns its speed (simulated s per wall s) and the heap it
// grew.
func (s *Sweep) probe(i int) (float64, uint64, error) {
	sc, err := s.Scenario(i)
	if err != nil {
		return 0, 0, err
	}
	tmp, err := os.MkdirTemp("", "snnsim-probe-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(tmp)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var peak uint64
	res, err := runner.Run(ctx, sc, runner.Options{Dir: filepath.Join(tmp, "run"), Progress: func(runner.Progress) {
		runtime.ReadMemStats(&m1)
		peak = max(peak, m1.HeapAlloc)
	}})
	if err != nil {
		return 0, 0, err
	}
	grown := uint64(0)
	if peak > m0.HeapAlloc {
		grown = peak - m0.HeapAlloc
	}
	sum := res.Summary
	if sum.WallS <= 0 || sum.SimulatedThisRunS <= 0 {
		return math.Inf(1), grown, nil
	}
	return sum.SimulatedThisRunS / sum.WallS, grown, nil
}

// ArrayList writes indices as sbatch's --array list: ranges "a-b" and
// single indices, comma-separated.
func ArrayList(indices []int) string {
	var parts []string
	for k := 0; k < len(indices); {
		j := k
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if j > k {
			parts = append(parts, fmt.Sprintf("%d-%d", indices[k], indices[j]))
		} else {
			parts = append(parts, strconv.Itoa(indices[k]))
		}
		k = j + 1
	}
	return strings.Join(parts, ",")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Script returns the job-array script for the points indices: array index
// i runs 'snnsim sweep run-point DIR i', which writes only point i's
// directory.
func (s *Sweep) Script(o SlurmOptions, e Estimate, indices []int) (string, error) {
	dir, err := filepath.Abs(s.Dir)
	if err != nil {
		return "", err
	}
	name := o.JobName
	if name == "" {
		name = "snnsim-" + safe(filepath.Base(dir))
	}
	arr := ArrayList(indices)
	if o.Throttle > 0 {
		arr += "%" + strconv.Itoa(o.Throttle)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", name)
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", arr)
	fmt.Fprintf(&b, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
	fmt.Fprintf(&b, "#SBATCH --time=%s\n", e.Time)
	fmt.Fprintf(&b, "#SBATCH --mem=%s\n", e.Mem)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, SlurmDir, "%A_%a.out"))
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", s.Manifest.Spec.WorkDir)
	if o.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", o.Partition)
	}
	for _, x := range o.Extra {
		fmt.Fprintf(&b, "#SBATCH %s\n", x)
	}
	fmt.Fprintf(&b, "#\n# snnsim sweep of %s: %d points, sweep.json lists them by index.\n", s.Manifest.Spec.Scenario, len(s.Manifest.Points))
	fmt.Fprintf(&b, "# Time and memory per task: %s.\n", e.How)
	fmt.Fprintf(&b, "# A task stopped by Slurm (SIGTERM) leaves a checkpoint; resubmitting resumes it.\n")
	fmt.Fprintf(&b, "exec %s sweep run-point %s \"$SLURM_ARRAY_TASK_ID\"\n", shellQuote(o.Binary), shellQuote(dir))
	return b.String(), nil
}

// SubmitSlurm writes the job-array script for every point not done into
// the sweep directory and submits it with sbatch, recording the job in the
// manifest. It returns the job ID ("" with NoSubmit), the points
// submitted and the script's path. Nothing is submitted when every point
// is done.
func (s *Sweep) SubmitSlurm(ctx context.Context, o SlurmOptions) (job string, todo []int, script string, err error) {
	for i := range s.Manifest.Points {
		st, msg := PointStatus(s.PointDir(i))
		s.setStatus(i, st, msg, 0)
		if st != Done && st != Running {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return "", nil, "", s.Save()
	}
	if o.Binary == "" {
		return "", nil, "", fmt.Errorf("no snnsim binary for the tasks")
	}
	e, err := s.estimate(o, todo)
	if err != nil {
		return "", nil, "", err
	}
	text, err := s.Script(o, e, todo)
	if err != nil {
		return "", nil, "", err
	}
	for _, d := range []string{SlurmDir, PointsDir} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return "", nil, "", err
		}
	}
	script = filepath.Join(s.Dir, ScriptName)
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		return "", nil, "", err
	}
	if o.NoSubmit {
		return "", todo, script, s.Save()
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return "", todo, script, fmt.Errorf("sbatch not found (is this a Slurm login node?): the script is %s", script)
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sbatch", "--parsable", script)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", todo, script, fmt.Errorf("sbatch %s: %v: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	job, _, _ = strings.Cut(strings.TrimSpace(out.String()), ";")
	s.Manifest.Slurm = append(s.Manifest.Slurm, SlurmJob{JobID: job, Indices: ArrayList(todo), Script: ScriptName})
	return job, todo, script, s.Save()
}

// SlurmStates asks squeue, then sacct, for the state of each task of the
// sweep's job arrays: point index → state (PENDING, RUNNING, COMPLETED,
// FAILED, …). Tools that are missing or fail are skipped; the second value
// says which answered.
func (s *Sweep) SlurmStates(ctx context.Context) (map[int]string, []string) {
	states := map[int]string{}
	var used []string
	for _, j := range s.Manifest.Slurm {
		if _, err := exec.LookPath("sacct"); err == nil {
			out, err := exec.CommandContext(ctx, "sacct", "-n", "-X", "-P", "-j", j.JobID, "-o", "JobID,State").Output()
			if err == nil {
				if parseTaskStates(string(out), "|", j.JobID, states) && !slices.Contains(used, "sacct") {
					used = append(used, "sacct")
				}
			}
		}
		if _, err := exec.LookPath("squeue"); err == nil {
			out, err := exec.CommandContext(ctx, "squeue", "-h", "-r", "-j", j.JobID, "-o", "%i|%T").Output()
			if err == nil {
				if parseTaskStates(string(out), "|", j.JobID, states) && !slices.Contains(used, "squeue") {
					used = append(used, "squeue")
				}
			}
		}
	}
	return states, used
}

// parseTaskStates reads lines "JOB_TASK|STATE" into states by task index.
func parseTaskStates(out, sep, job string, states map[int]string) bool {
	any := false
	for line := range strings.Lines(out) {
		id, st, ok := strings.Cut(strings.TrimSpace(line), sep)
		if !ok {
			continue
		}
		j, task, ok := strings.Cut(id, "_")
		if !ok || j != job {
			continue
		}
		k, err := strconv.Atoi(task)
		if err != nil {
			continue // a pending range "[3-7%2]": its points stay pending
		}
		f := strings.Fields(st)
		if len(f) > 0 {
			states[k] = f[0]
			any = true
		}
	}
	return any
}
