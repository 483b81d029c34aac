// Package routes loads the gateway's route table (routes.yaml, format in compose/CONTRACT.md)
// and picks the route for a request path.
package routes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Route sends every path under Prefix to Upstream, path unchanged.
type Route struct {
	Prefix   string
	Upstream *url.URL
}

// Table is a validated route table, longest prefix first.
type Table struct {
	routes []Route
}

// LookupEnv finds an environment variable, like os.LookupEnv.
type LookupEnv func(key string) (string, bool)

// contractDefaults are the defaults compose/CONTRACT.md gives the upstream URL variables, so the
// example route table works on a developer machine with nothing set.
var contractDefaults = map[string]string{
	"ORCHESTRATOR_URL": "http://localhost:8000",
	"CHAT_URL":         "http://localhost:3001",
}

// fileShape is the YAML document; unknown keys are rejected so typos do not pass silently.
type fileShape struct {
	Routes []routeShape `yaml:"routes"`
}

type routeShape struct {
	Prefix   string `yaml:"prefix"`
	Upstream string `yaml:"upstream"`
}

// Load reads and validates the route file at path.
func Load(path string, lookup LookupEnv) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("routes file %s: cannot read it: %w; set GATEWAY_ROUTES_FILE to the route table's path", path, err)
	}
	return Parse(path, data, lookup)
}

// Parse validates a route table; path is only used in error messages.
func Parse(path string, data []byte, lookup LookupEnv) (*Table, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("routes file %s: %s", path, fmt.Sprintf(format, args...))
	}
	var doc fileShape
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	if err := decoder.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("is empty; it needs a top-level 'routes:' list")
		}
		return nil, fail("not a valid route table: %v", err)
	}
	if len(doc.Routes) == 0 {
		return nil, fail("'routes' is missing or empty; list at least one {prefix, upstream}")
	}
	seen := map[string]int{}
	table := &Table{}
	for i, shape := range doc.Routes {
		prefix, err := normalizePrefix(shape.Prefix)
		if err != nil {
			return nil, fail("routes[%d].prefix: %v", i, err)
		}
		if first, dup := seen[prefix]; dup {
			return nil, fail("routes[%d].prefix: %q is already used by routes[%d]; each prefix may appear once", i, prefix, first)
		}
		seen[prefix] = i
		expanded, err := expandEnv(shape.Upstream, lookup)
		if err != nil {
			return nil, fail("routes[%d].upstream: %v", i, err)
		}
		upstream, err := parseUpstream(expanded)
		if err != nil {
			return nil, fail("routes[%d].upstream: %v", i, err)
		}
		table.routes = append(table.routes, Route{Prefix: prefix, Upstream: upstream})
	}
	// Longest prefix first, so the first match is the most specific one.
	sort.SliceStable(table.routes, func(a, b int) bool {
		return len(table.routes[a].Prefix) > len(table.routes[b].Prefix)
	})
	return table, nil
}

// Match returns the route with the longest prefix that matches path on a segment boundary:
// "/tasks" matches "/tasks" and "/tasks/1" but not "/tasksx".
func (t *Table) Match(path string) (Route, bool) {
	for _, route := range t.routes {
		if matchesPrefix(path, route.Prefix) {
			return route, true
		}
	}
	return Route{}, false
}

// Routes returns the routes sorted by prefix (a stable order for readiness reports).
func (t *Table) Routes() []Route {
	out := append([]Route(nil), t.routes...)
	sort.Slice(out, func(a, b int) bool { return out[a].Prefix < out[b].Prefix })
	return out
}

func matchesPrefix(path, prefix string) bool {
	if prefix == "/" {
		return true
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func normalizePrefix(raw string) (string, error) {
	prefix := strings.TrimSpace(raw)
	if prefix == "" {
		return "", errors.New("is missing; write a path such as /tasks")
	}
	if !strings.HasPrefix(prefix, "/") {
		return "", fmt.Errorf("%q must start with '/', e.g. /%s", prefix, prefix)
	}
	if strings.ContainsAny(prefix, "?#*") || strings.Contains(prefix, "//") {
		return "", fmt.Errorf("%q is not a plain path prefix; no '?', '#', '*' or '//'", prefix)
	}
	// "/tasks/" and "/tasks" mean the same route.
	if len(prefix) > 1 {
		prefix = strings.TrimRight(prefix, "/")
	}
	return prefix, nil
}

var envReference = regexp.MustCompile(`\$\{([^}]*)\}`)
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expandEnv replaces ${VAR} with the variable's value; an unset variable is an error unless the
// contract gives it a default.
func expandEnv(raw string, lookup LookupEnv) (string, error) {
	var firstErr error
	expanded := envReference.ReplaceAllStringFunc(raw, func(ref string) string {
		name := ref[2 : len(ref)-1]
		if !envName.MatchString(name) {
			if firstErr == nil {
				firstErr = fmt.Errorf("%q is not a valid variable reference; write ${NAME} with letters, digits and '_'", ref)
			}
			return ""
		}
		if value, ok := lookup(name); ok && value != "" {
			return value
		}
		if value, ok := contractDefaults[name]; ok {
			return value
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("environment variable %s is not set; set it to the upstream's base URL", name)
		}
		return ""
	})
	if firstErr != nil {
		return "", firstErr
	}
	if strings.Contains(envReference.ReplaceAllString(raw, ""), "${") {
		return "", fmt.Errorf("%q has an unclosed ${", raw)
	}
	return expanded, nil
}

func parseUpstream(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("is missing; write an absolute URL such as http://orchestrator:8000")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL; write e.g. http://orchestrator:8000", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("%q must be a base URL (scheme://host:port) without path, query or credentials, because paths are forwarded unchanged", raw)
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}
