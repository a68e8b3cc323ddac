package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slurmCluster is a one-node Slurm cluster on 127.0.0.1 with its own
// munge daemon, configured in a temporary folder.
type slurmCluster struct {
	dir   string
	conf  string
	procs []*exec.Cmd
}

// startSlurm starts munged (as user munge, which it insists on), slurmctld
// and slurmd, or skips the test saying why it cannot. The daemons are
// stopped by their process IDs when the test ends.
func startSlurm(t *testing.T) *slurmCluster {
	t.Helper()
	for _, b := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("no Slurm cluster for this test: %s not found (Debian: apt-get install slurmctld slurmd munge slurm-client)", b)
		}
	}
	if os.Getuid() != 0 {
		t.Skip("the Slurm test starts slurmd, which needs root")
	}
	mu, err := user.Lookup("munge")
	if err != nil {
		t.Skip("no user munge to run munged as")
	}
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "snnsim-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	c := &slurmCluster{dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	t.Cleanup(func() { c.stop(t) })
	os.Chmod(dir, 0o755)
	md := filepath.Join(dir, "munge")
	for _, d := range []string{md, filepath.Join(dir, "state"), filepath.Join(dir, "spool")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	uid, _ := strconv.Atoi(mu.Uid)
	gid, _ := strconv.Atoi(mu.Gid)
	key := make([]byte, 1024)
	rand.Read(key)
	keyFile := filepath.Join(md, "munge.key")
	if err := os.WriteFile(keyFile, key, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{md, keyFile} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	socket := filepath.Join(md, "munge.socket.2")
	c.startAs(t, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, "munged", "-F", "--key-file="+keyFile, "--socket="+socket,
		"--pid-file="+filepath.Join(md, "munged.pid"), "--log-file="+filepath.Join(md, "munged.log"), "--seed-file="+filepath.Join(md, "munged.seed"))
	for i := 0; ; i++ {
		if _, err := os.Stat(socket); err == nil {
			break
		}
		if i == 200 {
			t.Skipf("munged did not start: %s", c.logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ports := freePorts(t, 2)
	conf := fmt.Sprintf(`ClusterName=snnsimtest
SlurmctldHost=%[1]s(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
AuthType=auth/munge
AuthInfo=socket=%[5]s
CredType=cred/munge
StateSaveLocation=%[2]s/state
SlurmdSpoolDir=%[2]s/spool
SlurmctldPidFile=%[2]s/slurmctld.pid
SlurmdPidFile=%[2]s/slurmd.pid
SlurmctldLogFile=%[2]s/slurmctld.log
SlurmdLogFile=%[2]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
NodeName=%[1]s NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP
`, host, dir, ports[0], ports[1], socket)
	if err := os.WriteFile(c.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLURM_CONF", c.conf)
	c.start(t, "slurmctld", "-D", "-f", c.conf)
	c.start(t, "slurmd", "-D", "-f", c.conf)
	for i := 0; ; i++ {
		out, _ := exec.Command("sinfo", "-h", "-o", "%T").Output()
		if strings.TrimSpace(string(out)) == "idle" {
			break
		}
		if i == 300 {
			t.Skipf("the Slurm node did not come up (sinfo: %q): %s", out, c.logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}

func (c *slurmCluster) start(t *testing.T, name string, args ...string) {
	t.Helper()
	c.startAs(t, nil, name, args...)
}

// startAs starts a daemon in the foreground, as the user cred when set.
func (c *slurmCluster) startAs(t *testing.T, cred *syscall.Credential, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	f, err := os.Create(filepath.Join(c.dir, filepath.Base(name)+".out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Skipf("%s: %v", name, err)
	}
	c.procs = append(c.procs, cmd)
}

// stop ends the daemons it started, by process ID, newest first.
func (c *slurmCluster) stop(t *testing.T) {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			p.Process.Kill()
			<-done
		}
	}
	if t.Failed() {
		t.Logf("Slurm logs:\n%s", c.logs())
	}
	os.RemoveAll(c.dir)
}

// logs returns the tails of the daemons' logs.
func (c *slurmCluster) logs() string {
	var b strings.Builder
	for _, f := range []string{"munged.out", "munge/munged.log", "slurmctld.log", "slurmd.log"} {
		data, _ := os.ReadFile(filepath.Join(c.dir, f))
		if len(data) > 2000 {
			data = data[len(data)-2000:]
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", f, data)
	}
	return b.String()
}

func freePorts(t *testing.T, n int) []int {
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// TestSlurmSweep submits a sweep of 8 points to a real one-node Slurm
// cluster as a job array, waits for it through 'snnsim sweep status',
// collects, and checks that the table equals the one of the same sweep
// run with --local, value for value.
func TestSlurmSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Slurm cluster")
	}
	c := startSlurm(t)
	bin := buildSnnsim(t)
	wd, _ := os.Getwd()
	scen := filepath.Join(wd, "../../scenarios/stc_capture.toml")
	args := func(out string, extra ...string) []string {
		return append([]string{"sweep", scen, "--grid", "population.S2.params.start=60 min,90 min",
			"--seeds", "1..4", "--set", "simulation.duration=3 h", "--out", out, "--quiet"}, extra...)
	}
	sdir := filepath.Join(c.dir, "slurm-sweep")
	out, err := exec.Command(bin, args(sdir, "--slurm", "--throttle", "4")...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "submitted job") {
		t.Fatalf("sweep --slurm: %v\n%s", err, out)
	}
	script, _ := os.ReadFile(filepath.Join(sdir, "sweep.sbatch"))
	for _, want := range []string{"#SBATCH --array=0-7%4", "#SBATCH --time=", "#SBATCH --mem=", "sweep run-point"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	var status []byte
	deadline := time.Now().Add(90 * time.Second)
	for {
		status, err = exec.Command(bin, "sweep", "status", sdir).CombinedOutput()
		if err != nil {
			t.Fatalf("sweep status: %v\n%s", err, status)
		}
		if strings.Contains(string(status), "done 8,") {
			break
		}
		if strings.Contains(string(status), "failed 1") || strings.Contains(string(status), "failed 2") || time.Now().After(deadline) {
			tasks, _ := filepath.Glob(filepath.Join(sdir, "slurm", "*.out"))
			var b strings.Builder
			for _, f := range tasks {
				d, _ := os.ReadFile(f)
				fmt.Fprintf(&b, "%s: %s\n", filepath.Base(f), d)
			}
			t.Fatalf("the job array did not finish:\n%s\n%s", status, b.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(string(status), "slurm jobs ") {
		t.Errorf("status does not report the Slurm job:\n%s", status)
	}
	got := collectTable(t, sdir)
	ldir := filepath.Join(c.dir, "local-sweep")
	var so, se bytes.Buffer
	if code := run(args(ldir, "--local"), &so, &se); code != 0 {
		t.Fatalf("sweep --local: exit %d: %s", code, se.String())
	}
	if want := collectTable(t, ldir); got != want {
		t.Errorf("the Slurm sweep's table differs from the local one's:\n%s\nwant\n%s", got, want)
	}
	// Submitting again finds nothing to do.
	out, err = exec.Command(bin, args(sdir, "--slurm")...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all 8 points are done") {
		t.Errorf("second --slurm: %v: %s", err, out)
	}
}
