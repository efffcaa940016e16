//go:build linux

package netns

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// The address plan, the same inside every topology (namespaces do not
// share addresses, so parallel topologies cannot clash): leaf k hangs off
// the router on 10.0.k.0/24, the router is .1 and the leaf .2.
const (
	primaryNet  = 100 // the primary origin's namespace
	servicesNet = 101 // standby origin, Cloudflare-compatible API, DNS
)

func leafAddr(net int) string   { return fmt.Sprintf("10.0.%d.2", net) }
func leafSubnet(net int) string { return fmt.Sprintf("10.0.%d.0/24", net) }

// topology is a router namespace and leaf namespaces, each joined to the
// router by a veth pair: eth0 in the leaf, link in the router.
type topology struct {
	t      *testing.T
	prefix string
	router string
	leaves map[string]leaf // by role
}

type leaf struct {
	ns   string
	link string // its end in the router
	net  int
}

var topologies atomic.Int64

// needNamespaces skips the test unless network namespaces can be made.
func needNamespaces(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs these as root); run: sudo go test ./test/netns/")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2's ip command (apt-get install iproute2)")
	}
	name := fmt.Sprintf("sy%dprobe%d", os.Getpid(), topologies.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here (%v: %s); these tests need CAP_SYS_ADMIN", err, strings.TrimSpace(string(out)))
	}
	_ = exec.Command("ip", "netns", "del", name).Run()
}

// newTopology creates the router and one leaf per role, numbered as given,
// and removes them all when the test ends.
func newTopology(t *testing.T, roles map[string]int) *topology {
	t.Helper()
	sweepStale(t)
	prefix := fmt.Sprintf("sy%dx%d", os.Getpid(), topologies.Add(1))
	tp := &topology{t: t, prefix: prefix, router: prefix + "-rt", leaves: map[string]leaf{}}
	tp.addNS(tp.router)
	tp.ip("-n", tp.router, "link", "set", "lo", "up")
	tp.run("ip", "netns", "exec", tp.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	for role, net := range roles {
		l := leaf{ns: prefix + "-" + role, link: "l" + strconv.Itoa(net), net: net}
		tp.addNS(l.ns)
		tp.ip("-n", tp.router, "link", "add", l.link, "type", "veth", "peer", "name", "eth0", "netns", l.ns)
		tp.ip("-n", tp.router, "addr", "add", fmt.Sprintf("10.0.%d.1/24", net), "dev", l.link)
		tp.ip("-n", l.ns, "addr", "add", fmt.Sprintf("10.0.%d.2/24", net), "dev", "eth0")
		tp.ip("-n", tp.router, "link", "set", l.link, "up")
		tp.ip("-n", l.ns, "link", "set", "lo", "up")
		tp.ip("-n", l.ns, "link", "set", "eth0", "up")
		tp.ip("-n", l.ns, "route", "add", "default", "via", fmt.Sprintf("10.0.%d.1", net))
		tp.leaves[role] = l
	}
	return tp
}

// addNS creates a namespace and registers its removal. Removing it also
// removes its veth ends; processes still inside keep it alive until they
// exit, which the process cleanups (registered later, so run first) ensure.
func (tp *topology) addNS(name string) {
	tp.ip("netns", "add", name)
	tp.t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			tp.t.Errorf("removing namespace %s: %v: %s", name, err, out)
		}
	})
}

// ns returns the namespace of role.
func (tp *topology) ns(role string) string { return tp.mustLeaf(role).ns }

func (tp *topology) mustLeaf(role string) leaf {
	l, ok := tp.leaves[role]
	if !ok {
		tp.t.Fatalf("no leaf %q in the topology", role)
	}
	return l
}

// cut drops, in the router, every packet from role from to role to, in
// both directions: the senders see silence and time out, as across a
// broken internet path.
func (tp *topology) cut(from, to string) {
	tp.t.Helper()
	a, b := tp.mustLeaf(from), tp.mustLeaf(to)
	tp.ip("-n", tp.router, "rule", "add", "blackhole", "from", leafSubnet(a.net), "to", leafSubnet(b.net))
	tp.ip("-n", tp.router, "rule", "add", "blackhole", "from", leafSubnet(b.net), "to", leafSubnet(a.net))
	tp.t.Logf("cut %s <-> %s", from, to)
}

// linkDown takes role's link in the router down: nobody reaches it.
func (tp *topology) linkDown(role string) {
	tp.t.Helper()
	tp.ip("-n", tp.router, "link", "set", tp.mustLeaf(role).link, "down")
	tp.t.Logf("link to %s down", role)
}

func (tp *topology) ip(args ...string) {
	tp.t.Helper()
	tp.run("ip", args...)
}

func (tp *topology) run(name string, args ...string) {
	tp.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tp.t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// sweepStale removes namespaces left by an earlier run of this test that
// was killed before its cleanups ran: named sy<pid>x..., where no process
// <pid> exists any more. Anything else is left alone.
func sweepStale(t *testing.T) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, "sy")
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "x")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + pidText); err == nil {
			continue // its creator still runs
		}
		if exec.Command("ip", "netns", "del", name).Run() == nil {
			t.Logf("removed namespace %s left by an earlier run", name)
		}
	}
}
