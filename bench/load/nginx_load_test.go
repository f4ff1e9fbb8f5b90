//go:build loadbench && linux

package load

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nginxConfig is a configuration for Debian's nginx on loopback ports: one
// server proxies to the primary instance, the other does the same and
// mirrors every request to the mirror instance with the mirror module.
// Responses are small, so nothing is buffered to disk.
const nginxConfig = `daemon off;
worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    proxy_max_temp_file_size 0;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    keepalive_requests 1000000;

    upstream primary { server %[2]s; keepalive 128; }
    upstream mirror  { server %[3]s; keepalive 128; }

    server {
        listen %[4]s;
        location / { proxy_pass http://primary; }
    }
    server {
        listen %[5]s;
        location / {
            mirror /mirror;
            mirror_request_body off;
            proxy_pass http://primary;
        }
        location = /mirror {
            internal;
            proxy_pass http://mirror$request_uri;
        }
    }
}
`

// nginx is a running nginx with a proxy and a mirroring proxy.
type nginx struct {
	*process
	proxyAddr, mirrorAddr string
}

// startNginx runs nginx in front of the primary and mirror addresses.
func startNginx(t *testing.T, dir, primary, mirror string) *nginx {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Fatalf("nginx was not found (%v): install Debian's nginx (apt-get install -y nginx); bench/Makefile does so as root", err)
	}
	version, _ := exec.Command(bin, "-v").CombinedOutput()
	conf := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	n := &nginx{proxyAddr: freeAddr(t), mirrorAddr: freeAddr(t)}
	path := filepath.Join(conf, "nginx.conf")
	text := fmt.Sprintf(nginxConfig, conf, primary, mirror, n.proxyAddr, n.mirrorAddr)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	n.process = startProcess(t, "nginx", exec.Command(bin, "-p", conf, "-c", path, "-e", filepath.Join(conf, "error.log")), dir)
	for _, addr := range []string{n.proxyAddr, n.mirrorAddr} {
		waitListening(t, "nginx ("+strings.TrimSpace(string(version))+")", addr, n.process)
	}
	return n
}

// freeAddr returns a loopback address that is free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitListening(t *testing.T, what, addr string, p *process) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if !p.running() {
			t.Fatalf("%s exited (%v) before listening on %s; log %s:\n%s", what, p.err, addr, p.log, tail(p.log))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not listening on %s after 30s; log %s:\n%s", what, addr, p.log, tail(p.log))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
