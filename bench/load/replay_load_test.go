//go:build loadbench && linux

package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// startReplayer serves a Replayer in front of the DynamoDB endpoint on a
// loopback port of the harness, until the test ends.
func startReplayer(t *testing.T, endpoint string, delay time.Duration) (*Replayer, string) {
	t.Helper()
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(transport.CloseIdleConnections)
	rep := NewReplayer(endpoint, delay, &http.Client{Transport: transport, Timeout: 30 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rep, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("stopping the replayed DynamoDB: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("the replayed DynamoDB: %v", err)
		}
	})
	return rep, "http://" + ln.Addr().String()
}

// recordReplay has the Replayer record dynalite's answer to every DynamoDB
// request the request mix can make: a service that reads every route from
// DynamoDB, through the Replayer, is asked for every product, order and
// customer's order list once. Then the Replayer replays.
func recordReplay(t *testing.T, bin, logs, pgURL, replayURL, table string, rep *Replayer) {
	t.Helper()
	began := time.Now()
	svc := startService(t, bin, "replay-recorder", logs, "serve", "-pg", pgURL, "-ddb", replayURL, "-table", table, "-mode", "dynamodb")
	var paths []string
	for id := 1; id <= products; id++ {
		paths = append(paths, fmt.Sprintf("/products/%d", id))
	}
	for id := 1; id <= orders; id++ {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	for id := 1; id <= customers; id++ {
		paths = append(paths, fmt.Sprintf("/customers/%d/orders?limit=10", id))
	}
	client := newLoadClient(t)
	work := make(chan string)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
	)
	for range 8 {
		wg.Go(func() {
			for path := range work {
				status, err := getStatus(client, svc.url()+path)
				if err != nil || (status != http.StatusOK && status != http.StatusNotFound) {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %d %v", path, status, err))
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	svc.stop(t, syscall.SIGTERM)
	if len(failures) > 0 {
		t.Fatalf("recording DynamoDB's answers: %d of %d requests failed, such as %s", len(failures), len(paths), failures[0])
	}
	rep.Replay(true)
	t.Logf("replayed DynamoDB: recorded %d answers for %d requests in %v", rep.Stats().Recorded, len(paths), time.Since(began).Round(time.Millisecond))
}

func getStatus(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// pinHarness runs the harness's Go code on one P and its threads on one
// CPU, the last it may use; threads started later inherit the CPU. It
// returns the CPU, or -1 if the kernel refused.
func pinHarness(t *testing.T) int {
	t.Helper()
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		t.Logf("not pinning the generator: %v", err)
		return -1
	}
	cpu := -1
	for i := range 1024 {
		if allowed.IsSet(i) {
			cpu = i
		}
	}
	if cpu < 0 {
		return -1
	}
	var one unix.CPUSet
	one.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Logf("not pinning the generator: %v", err)
		return -1
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &one); err != nil && !errors.Is(err, unix.ESRCH) {
			t.Logf("not pinning the generator: thread %d: %v", tid, err)
			return -1
		}
	}
	runtime.GOMAXPROCS(1)
	t.Logf("generator pinned to CPU %d with GOMAXPROCS 1", cpu)
	return cpu
}

// profileFetch is a CPU profile of a service being taken.
type profileFetch struct {
	path string
	done chan error
}

// startProfile asks the service for a CPU profile over d (whole seconds,
// at least one) and writes it to path.
func startProfile(client *http.Client, svc *service, d time.Duration, path string) *profileFetch {
	p := &profileFetch{path: path, done: make(chan error, 1)}
	seconds := max(1, int(math.Ceil(d.Seconds())))
	go func() {
		resp, err := client.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", svc.debug, seconds))
		if err != nil {
			p.done <- err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
		}
		if err == nil {
			err = os.WriteFile(path, body, 0o644)
		}
		p.done <- err
	}()
	return p
}

// wait returns the profile's file, or "" (and a log line) if it failed.
func (p *profileFetch) wait(t *testing.T) string {
	if err := <-p.done; err != nil {
		t.Logf("CPU profile %s: %v", p.path, err)
		return ""
	}
	return p.path
}

// profileComponents adds up the CPU by component of the profile files.
func profileComponents(t *testing.T, paths []string) map[string]time.Duration {
	if len(paths) == 0 {
		return nil
	}
	total := map[string]time.Duration{}
	for _, path := range paths {
		var out, stderr bytes.Buffer
		cmd := exec.Command("go", "tool", "pprof", "-traces", path)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Logf("go tool pprof -traces %s: %v\n%s", path, err, stderr.String())
			continue
		}
		comps, err := ProfileComponents(&out)
		if err != nil {
			t.Logf("%s: %v", path, err)
			continue
		}
		for c, d := range comps {
			total[c] += d
		}
	}
	return total
}
