package cgroup

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Kinds of group, as Service.Kind reports them.
const (
	KindSystemd    = "systemd"
	KindDocker     = "docker"
	KindPodman     = "podman"
	KindContainerd = "containerd"
	KindCRIO       = "cri-o"
	KindKubernetes = "kubernetes"
	KindPath       = "path"
)

// groupName is what a cgroup path says about itself, before the runtimes'
// files are consulted.
type groupName struct {
	kind    string // one of the Kind constants
	runtime string // container runtime for a container id (may be "" under cgroupfs kubepods)
	id      string // container id
	podUID  string
	unit    string // systemd unit, with any delegated sub-path ("app.service/worker")
}

// scopePrefixes map systemd-driver container scopes to their runtime.
var scopePrefixes = []struct{ prefix, runtime string }{
	{"docker-", KindDocker},
	{"libpod-", KindPodman},
	{"cri-containerd-", KindContainerd},
	{"crio-", KindCRIO},
}

// isHexID reports whether s looks like a container id (hex, at least 32 chars).
func isHexID(s string) bool {
	if len(s) < 32 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// classify reads a cgroup path: container scopes (docker-<id>.scope,
// /docker/<id>, libpod-, cri-containerd-, crio-), Kubernetes pods
// (kubepods-…-pod<uid>.slice, /kubepods/…/pod<uid>) and systemd units.
func classify(p string) groupName {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	g := groupName{kind: KindPath}
	inKube := false
	for i, c := range parts {
		if strings.HasPrefix(c, "kubepods") {
			inKube = true
		}
		switch {
		case inKube && strings.HasSuffix(c, ".slice") && strings.Contains(c, "-pod"):
			uid := c[strings.LastIndex(c, "-pod")+4 : len(c)-len(".slice")]
			g.podUID = strings.ReplaceAll(uid, "_", "-")
		case inKube && strings.HasPrefix(c, "pod") && len(c) > 3 && !strings.HasSuffix(c, ".slice"):
			g.podUID = c[3:]
		}
		for _, sp := range scopePrefixes {
			if rest, ok := strings.CutPrefix(c, sp.prefix); ok {
				if id, ok := strings.CutSuffix(rest, ".scope"); ok && isHexID(id) {
					g.runtime, g.id = sp.runtime, id
				}
			}
		}
		if g.id == "" && isHexID(c) && i > 0 {
			switch {
			case parts[i-1] == "docker":
				g.runtime, g.id = KindDocker, c
			case inKube:
				g.id = c
			}
		}
	}
	switch {
	case g.podUID != "":
		g.kind = KindKubernetes
	case g.id != "":
		g.kind = g.runtime
	default:
		for i := len(parts) - 1; i >= 0; i-- {
			if strings.HasSuffix(parts[i], ".service") || strings.HasSuffix(parts[i], ".scope") {
				g.kind, g.unit = KindSystemd, strings.Join(parts[i:], "/")
				// A service manager's own init.scope (user@1000.service/init.scope) is the service.
				if g.unit == "init.scope" && i > 0 && strings.HasSuffix(parts[i-1], ".service") {
					g.unit = parts[i-1]
				}
				break
			}
		}
	}
	return g
}

// shortID is the 12-character id docker and podman print.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// containerInfo is what a runtime's own files say about a container.
type containerInfo struct {
	name, podName, podNamespace string
}

// names resolves container and pod names from the runtimes' files under a
// host root, caching answers (also "not found") so each is read once.
type names struct {
	hostRoot   string
	containers map[string]containerInfo
	pods       map[string]string // uid → "namespace/name"
	podsListed bool              // /var/log/pods was listed during this read
}

// maxConfigBytes bounds a runtime config file read for a name.
const maxConfigBytes = 8 << 20

// readJSON decodes a runtime file into v; false when absent, too large or malformed.
func readJSON(file string, v any) bool {
	st, err := os.Stat(file)
	if err != nil || st.Size() > maxConfigBytes {
		return false
	}
	b, err := os.ReadFile(file)
	return err == nil && json.Unmarshal(b, v) == nil
}

// container looks a container up in the runtime's files (docker, podman,
// containerd, cri-o); runtime "" tries them all.
func (n *names) container(runtime, id string) containerInfo {
	key := runtime + "/" + id
	if ci, ok := n.containers[key]; ok {
		return ci
	}
	if len(n.containers) > 4096 {
		n.containers = map[string]containerInfo{}
	}
	var ci containerInfo
	try := func(r string) bool { return runtime == "" || runtime == r }
	if try(KindDocker) {
		var d struct {
			Name   string
			Config struct{ Labels map[string]string }
		}
		if readJSON(filepath.Join(n.hostRoot, "var/lib/docker/containers", id, "config.v2.json"), &d) {
			l := d.Config.Labels
			ci = containerInfo{strings.TrimPrefix(d.Name, "/"), l["io.kubernetes.pod.name"], l["io.kubernetes.pod.namespace"]}
			if cn := l["io.kubernetes.container.name"]; cn != "" {
				ci.name = cn
			}
		}
	}
	if ci.name == "" && try(KindPodman) {
		var list []struct {
			ID    string   `json:"id"`
			Names []string `json:"names"`
		}
		if readJSON(filepath.Join(n.hostRoot, "var/lib/containers/storage/overlay-containers/containers.json"), &list) {
			for _, c := range list {
				if c.ID == id && len(c.Names) > 0 {
					ci.name = c.Names[0]
				}
			}
		}
	}
	if ci.name == "" && try(KindContainerd) {
		dirs, _ := filepath.Glob(filepath.Join(n.hostRoot, "run/containerd/io.containerd.runtime.v2.task/*", id, "config.json"))
		for _, f := range dirs {
			if a := ociAnnotations(f); a != nil {
				ci = containerInfo{a["io.kubernetes.cri.container-name"], a["io.kubernetes.cri.sandbox-name"], a["io.kubernetes.cri.sandbox-namespace"]}
				break
			}
		}
	}
	if ci.name == "" && try(KindCRIO) {
		if a := ociAnnotations(filepath.Join(n.hostRoot, "run/containers/storage/overlay-containers", id, "userdata/config.json")); a != nil {
			ci = containerInfo{a["io.kubernetes.container.name"], a["io.kubernetes.pod.name"], a["io.kubernetes.pod.namespace"]}
		}
	}
	n.containers[key] = ci
	return ci
}

// ociAnnotations reads the annotations of an OCI runtime config.json.
func ociAnnotations(file string) map[string]string {
	var c struct {
		Annotations map[string]string `json:"annotations"`
	}
	if !readJSON(file, &c) {
		return nil
	}
	return c.Annotations
}

// pod finds "namespace/name" of a pod from the kubelet's log directories
// (/var/log/pods/<namespace>_<name>_<uid>), listed at most once per read;
// "" when not readable.
func (n *names) pod(uid string) string {
	if _, ok := n.pods[uid]; !ok && !n.podsListed {
		n.podsListed = true
		entries, _ := os.ReadDir(filepath.Join(n.hostRoot, "var/log/pods"))
		for _, e := range entries {
			f := strings.Split(e.Name(), "_")
			if len(f) == 3 {
				n.pods[f[2]] = f[0] + "/" + f[1]
			}
		}
	}
	return n.pods[uid]
}

// name gives a group the name people know it by, and its kind.
func (n *names) name(cgPath string) (name, kind string) {
	g := classify(cgPath)
	switch g.kind {
	case KindSystemd:
		return g.unit, g.kind
	case KindPath:
		return cgPath, g.kind
	}
	var ci containerInfo
	if g.id != "" {
		ci = n.container(g.runtime, g.id)
	}
	cname := ci.name
	if cname == "" {
		cname = shortID(g.id)
	}
	if g.kind != KindKubernetes {
		return cname, g.kind
	}
	pod := n.pod(g.podUID)
	if pod == "" && ci.podName != "" {
		pod = path.Join(ci.podNamespace, ci.podName)
	}
	if pod == "" {
		pod = g.podUID
	}
	if cname == "" {
		return "pod " + pod, g.kind
	}
	return "pod " + pod + "/" + cname, g.kind
}
