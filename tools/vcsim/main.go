// Command authmap-vcsim runs govmomi's vSphere API simulator (vcsim) for
// authmap's tests and benchmarks.
//
// It builds a vCenter (VPX) inventory from the model-count flags, or loads one
// saved with `govc object.save` (-load), serves it over TLS together with the
// SPBM (/pbm) and vAPI (/rest) endpoints, and prints exactly one line to
// stdout once it accepts connections:
//
//	AUTHMAP_VCSIM_READY https://127.0.0.1:PORT/sdk
//
// The line never contains credentials. vcsim's files live in a scratch
// directory, $TMPDIR/authmap-vcsim-*. On SIGTERM or SIGINT the server is closed,
// Model.Remove() is called and the scratch directory is deleted; a signal that
// arrives while the model is still being built also deletes it (exit status 1).
// Errors go to stderr and exit with status 1 (status 2 for bad flags).
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"

	// Imported for their side effects: they register the SPBM (/pbm) and
	// vAPI (/rest, tagging) endpoints, served when RegisterEndpoints is set.
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

// readyPrefix starts the single stdout line that tells a caller the server is up.
const readyPrefix = "AUTHMAP_VCSIM_READY"

// options holds the parsed command line.
type options struct {
	model    *simulator.Model
	addr     string
	username string
	password string
	loadDir  string
}

// uuidPattern is the canonical form of a UUID, as vCenter reports its instanceUuid.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "authmap-vcsim:", err)
		os.Exit(2)
	}
	if err := run(opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authmap-vcsim:", err)
		os.Exit(1)
	}
}

// parseFlags turns args into options; the model counts default to simulator.VPX().
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	m := simulator.VPX()
	o := &options{model: m}
	fs := flag.NewFlagSet("authmap-vcsim", flag.ContinueOnError)
	fs.SetOutput(stderr)

	fs.IntVar(&m.Datacenter, "dc", m.Datacenter, "number of datacenters")
	fs.IntVar(&m.Cluster, "cluster", m.Cluster, "clusters per datacenter")
	fs.IntVar(&m.ClusterHost, "host", m.ClusterHost, "hosts per cluster")
	fs.IntVar(&m.Host, "standalone-host", m.Host, "standalone hosts per datacenter")
	fs.IntVar(&m.Machine, "vm", m.Machine, "VMs per resource pool, standalone host and vApp")
	fs.IntVar(&m.Pool, "pool", m.Pool, "child resource pools per cluster")
	fs.IntVar(&m.App, "app", m.App, "vApps per cluster")
	fs.IntVar(&m.Pod, "pod", m.Pod, "storage pods (datastore clusters) per datacenter")
	fs.IntVar(&m.Datastore, "ds", m.Datastore, "datastores per datacenter")
	fs.IntVar(&m.Portgroup, "pg", m.Portgroup, "distributed portgroups per datacenter")
	fs.IntVar(&m.Folder, "folder", m.Folder, "datacenters placed inside folders")
	fs.BoolVar(&m.Autostart, "autostart", m.Autostart, "power on the generated VMs")
	fs.IntVar(&m.DelayConfig.Delay, "delay", 0, "delay in ms added to every SOAP call (not with -load)")
	fs.StringVar(&o.addr, "l", "127.0.0.1:0", "listen address HOST:PORT (port 0 picks a free one)")
	fs.StringVar(&o.username, "username", "user", "login user name")
	fs.StringVar(&o.password, "password", "pass", "login password")
	fs.StringVar(&o.loadDir, "load", "", "load the inventory saved in DIR instead of generating one")
	// vcsim derives its instanceUuid from this machine's network card: pin it to get the
	// same vCenter (and so the same record ids) on every machine.
	fs.StringVar(&m.ServiceContent.About.InstanceUuid, "instance-uuid",
		m.ServiceContent.About.InstanceUuid, "the vCenter's instanceUuid (default: vcsim's, per machine)")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case o.username == "" || o.password == "":
		return nil, errors.New("-username and -password must not be empty")
	case !uuidPattern.MatchString(m.ServiceContent.About.InstanceUuid):
		return nil, fmt.Errorf("-instance-uuid %q is not a lower-case UUID", m.ServiceContent.About.InstanceUuid)
	case m.DelayConfig.Delay < 0:
		return nil, errors.New("-delay must not be negative")
	case min(m.Datacenter, m.Cluster, m.ClusterHost, m.Host, m.Machine, m.Pool, m.App, m.Pod,
		m.Datastore, m.Portgroup, m.Folder) < 0:
		return nil, errors.New("model counts must not be negative")
	case m.Datastore == 0 && m.Machine > 0 && o.loadDir == "":
		return nil, errors.New("-vm needs -ds >= 1 (vcsim places VMs on LocalDS_0)")
	case m.DelayConfig.Delay > 0 && o.loadDir != "":
		return nil, errors.New("-delay is only supported for generated models, not with -load")
	}
	return o, nil
}

// run builds the model, serves it until a termination signal, then cleans up.
func run(o *options, stdout io.Writer) error {
	// Catch signals first: a SIGTERM while the model is being built (large
	// models take minutes) must still remove everything we wrote.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)

	// vcsim puts its datastores under os.TempDir(); point TMPDIR at a private
	// directory so that one RemoveAll cleans up even after an interrupted build.
	scratch, err := os.MkdirTemp("", "authmap-vcsim-")
	if err != nil {
		return fmt.Errorf("creating a scratch directory: %w", err)
	}
	defer removeAll(scratch)
	if err := os.Setenv("TMPDIR", scratch); err != nil {
		return fmt.Errorf("setting TMPDIR: %w", err)
	}

	m := o.model
	built := make(chan error, 1)
	go func() { built <- buildModel(m, o.loadDir) }()
	select {
	case err := <-built:
		if err != nil {
			return fmt.Errorf("building the model: %w", err)
		}
	case s := <-sig:
		return fmt.Errorf("%s received while building the model", s)
	}
	defer m.Remove()

	m.Service.TLS = new(tls.Config)
	m.Service.RegisterEndpoints = true
	// A user that is not simulator.DefaultLogin makes vcsim check the password.
	m.Service.Listen = &url.URL{Host: o.addr, User: url.UserPassword(o.username, o.password)}

	srv, err := startServer(m.Service)
	if err != nil {
		return err
	}
	defer srv.Close()

	ready := url.URL{Scheme: srv.URL.Scheme, Host: srv.URL.Host, Path: srv.URL.Path}
	if _, err := fmt.Fprintln(stdout, readyPrefix, ready.String()); err != nil {
		return fmt.Errorf("announcing readiness: %w", err)
	}

	s := <-sig
	fmt.Fprintf(os.Stderr, "authmap-vcsim: %s received, shutting down\n", s)
	return nil
}

// buildModel generates the inventory from the model counts, or loads it from dir.
func buildModel(m *simulator.Model, dir string) error {
	if dir != "" {
		return m.Load(dir)
	}
	return m.Create()
}

// removeAll deletes dir, retrying briefly in case a goroutine still writes into it.
func removeAll(dir string) {
	var err error
	for range 3 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "authmap-vcsim: could not remove %s: %v\n", dir, err)
}

// startServer calls Service.NewServer, turning its panic on a listen error into an error.
func startServer(svc *simulator.Service) (srv *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the server on %s: %v", svc.Listen.Host, r)
		}
	}()
	return svc.NewServer(), nil
}
