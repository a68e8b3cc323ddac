package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snnsim/snnsim/report"
)

// TestReportCommand checks the verb's output path, --out, and that a
// damaged log gives a report, a warning naming the offset and exit code 1.
func TestReportCommand(t *testing.T) {
	dir := runShipped(t, "quickstart")
	out, _ := runCmd(t, "report", dir)
	if want := filepath.Join(dir, report.FileName); strings.TrimSpace(out) != want {
		t.Errorf("printed %q, want %q", out, want)
	}
	other := filepath.Join(t.TempDir(), "r.html")
	out, _ = runCmd(t, "report", dir, "--out", other)
	if strings.TrimSpace(out) != other {
		t.Errorf("--out: printed %q, want %q", out, other)
	}
	if _, err := os.Stat(other); err != nil {
		t.Error(err)
	}

	log := filepath.Join(dir, LogName)
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-20] ^= 0xff // inside the end block
	if err := os.WriteFile(log, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code := run([]string{"report", dir}, &o, &e)
	m := regexp.MustCompile(`damaged at byte (\d+)`).FindStringSubmatch(e.String())
	if code != 1 || m == nil {
		t.Fatalf("damaged log: exit %d, stderr %q; want 1 and the offset", code, e.String())
	}
	// The damage is in the end block, which starts less than 64 bytes
	// before the end; the page names the same offset.
	if off, _ := strconv.Atoi(m[1]); off > len(b)-20 || off < len(b)-64 {
		t.Errorf("damage reported at byte %d, want the end block's start within 64 bytes of the end (%d)", off, len(b))
	}
	if page, err := os.ReadFile(filepath.Join(dir, report.FileName)); err != nil || !strings.Contains(string(page), "damaged</span> at byte offset "+m[1]) {
		t.Errorf("the page does not name the damage at byte %s (%v)", m[1], err)
	}
	// A memory-curve run has no log: its page holds the summary and the
	// memory-curve figure.
	mc := runShipped(t, "memory_curves", "--set", "memory_curves.synapses=200", "--set", "memory_curves.trials=2")
	runCmd(t, "report", mc)
	page, err := os.ReadFile(filepath.Join(mc, report.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<h1>memory_curves</h1>", `class="status nolog"`, `<figure id="fig-memory_curves">`, "<caption>models</caption>"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("memory-curve report lacks %s", s)
		}
	}
	if code := run([]string{"report"}, &o, &e); code != 2 {
		t.Errorf("no argument: exit %d, want 2", code)
	}
}

// chromium returns the path of a Chromium or Chrome binary ($SNNSIM_CHROMIUM
// first), or "".
func chromium() string {
	if p := os.Getenv("SNNSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// probe is the test-only script added at the end of a copy of the page's
// body. It loads every image of the page (HTML <img> and SVG <image>, such
// as the raster) again as an HTML image, which delays the load event until
// each has loaded or failed; on load it measures every figure's SVG and the
// first text drawn in it, checks that each image decoded to a nonzero size,
// and writes the results into the DOM, which --dump-dom prints. Everything
// after the loads is synchronous, so the result is in the DOM when load
// ends. Its console.log marker shows that console messages reach the log
// that the test scans.
const probe = `<script>
console.log("probe-marker");
const probeImages = [...document.images].map(i => i.src);
for (const i of document.querySelectorAll("svg image")) probeImages.push(i.href.baseVal);
const probeLoads = probeImages.map(src => { const im = new Image(); im.src = src; return im; });
addEventListener("load", () => {
  const out = [];
  for (const s of document.querySelectorAll("figure svg")) {
    const r = s.getBoundingClientRect(), t = s.querySelector("text");
    const tw = t ? t.getBBox().width : 0;
    out.push("svg " + s.closest("figure").id + " " + Math.round(r.width) + " " + Math.round(r.height) + " " + Math.round(tw));
  }
  for (const im of probeLoads) {
    out.push(im.complete && im.naturalWidth > 0 ? "image " + im.naturalWidth + " " + im.naturalHeight : "image failed " + im.src.slice(0, 40));
  }
  const p = document.createElement("pre");
  p.id = "probe-result";
  p.textContent = out.join("\n");
  document.body.append(p);
});
</script>
`

// TestReportChromium renders the report of stc_capture in headless
// Chromium and checks that every figure is laid out with a nonzero size and
// drawn text, that every image decodes, and that the page logs nothing to
// the console (no script error, no blocked resource).
func TestReportChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("headless Chromium not found (Debian: apt-get install chromium; .ci/run installs it); set SNNSIM_CHROMIUM to use another binary")
	}
	dir := runShipped(t, "stc_capture")
	out, _ := runCmd(t, "report", dir)
	page, err := os.ReadFile(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	figures := strings.Count(string(page), "<figure ")
	images := strings.Count(string(page), "<image ") + strings.Count(string(page), "<img ")
	if figures < 3 || images < 1 {
		t.Fatalf("the stc_capture report has %d figures and %d images; want the raster (an image), rate and capture", figures, images)
	}
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		t.Fatal("the page has no </body>")
	}
	tmp := t.TempDir()
	probed := filepath.Join(tmp, "probed.html")
	if err := os.WriteFile(probed, append(append(page[:i:i], probe...), page[i:]...), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+filepath.Join(tmp, "profile"), "--enable-logging=stderr", "--v=0",
		"--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000", "--dump-dom", "file://"+probed)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:")
	var dom, logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &logs
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, logs.String())
	}
	t.Logf("Chromium took %v", time.Since(start).Round(time.Millisecond))

	var marker bool
	var console []string
	for _, l := range strings.Split(logs.String(), "\n") {
		switch {
		case strings.Contains(l, "probe-marker"):
			marker = true
		case strings.Contains(l, ":CONSOLE") || strings.Contains(l, "Uncaught"):
			console = append(console, l)
		}
	}
	if !marker {
		t.Fatalf("the probe's console marker is not in Chromium's log, so console errors cannot be seen:\n%s", logs.String())
	}
	if len(console) > 0 {
		t.Errorf("console messages of the page:\n%s", strings.Join(console, "\n"))
	}

	m := regexp.MustCompile(`(?s)<pre id="probe-result">(.*?)</pre>`).FindStringSubmatch(dom.String())
	if m == nil {
		t.Fatalf("the probe wrote no result; DOM ends with:\n%.2000s", dom.String()[max(0, dom.Len()-2000):])
	}
	var svgs, imgs int
	for _, l := range strings.Split(strings.TrimSpace(m[1]), "\n") {
		f := strings.Fields(l)
		nums := func(fs []string) bool {
			for _, s := range fs {
				if n, err := strconv.Atoi(s); err != nil || n <= 0 {
					return false
				}
			}
			return true
		}
		switch {
		case len(f) == 5 && f[0] == "svg":
			svgs++
			if !nums(f[2:]) {
				t.Errorf("figure %s: width, height and first text width %v; want all > 0", f[1], f[2:])
			}
		case len(f) == 3 && f[0] == "image":
			imgs++
			if !nums(f[1:]) {
				t.Errorf("image of %v px; want a decoded image", f[1:])
			}
		default:
			t.Errorf("probe: %s", l)
		}
	}
	if svgs != figures || imgs != images {
		t.Errorf("probe saw %d figures and %d images, the page has %d and %d", svgs, imgs, figures, images)
	}
}
