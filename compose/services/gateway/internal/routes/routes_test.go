package routes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func lookupFrom(values map[string]string) LookupEnv {
	return func(key string) (string, bool) {
		value, ok := values[key]
		return value, ok
	}
}

const contractTable = `
routes:
  - prefix: /tasks
    upstream: ${ORCHESTRATOR_URL}
  - prefix: /chat
    upstream: ${CHAT_URL}
`

func TestContractTableExpandsEnvironment(t *testing.T) {
	table, err := Parse("routes.yaml", []byte(contractTable), lookupFrom(map[string]string{
		"ORCHESTRATOR_URL": "http://orchestrator:8000",
		"CHAT_URL":         "https://chat:3001/",
	}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := map[string]string{}
	for _, route := range table.Routes() {
		got[route.Prefix] = route.Upstream.String()
	}
	want := map[string]string{"/tasks": "http://orchestrator:8000", "/chat": "https://chat:3001"}
	if len(got) != len(want) || got["/tasks"] != want["/tasks"] || got["/chat"] != want["/chat"] {
		t.Fatalf("routes %v, want %v", got, want)
	}
}

func TestContractDefaultsWhenUnset(t *testing.T) {
	table, err := Parse("routes.yaml", []byte(contractTable), lookupFrom(nil))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	route, ok := table.Match("/chat")
	if !ok || route.Upstream.String() != "http://localhost:3001" {
		t.Fatalf("/chat → %v %v, want the contract default http://localhost:3001", route.Upstream, ok)
	}
}

func TestExampleFileInRepositoryLoads(t *testing.T) {
	table, err := Load(filepath.Join("..", "..", "routes.yaml"), lookupFrom(nil))
	if err != nil {
		t.Fatalf("the shipped routes.yaml does not load: %v", err)
	}
	if len(table.Routes()) != 2 {
		t.Fatalf("routes.yaml has %d routes, want /tasks and /chat", len(table.Routes()))
	}
}

func TestMatchLongestPrefixOnSegmentBoundaries(t *testing.T) {
	table, err := Parse("r.yaml", []byte(`
routes:
  - prefix: /tasks
    upstream: http://orchestrator:8000
  - prefix: /tasks/admin/
    upstream: http://admin:9000
  - prefix: /chat
    upstream: http://chat:3001
`), lookupFrom(nil))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	cases := map[string]string{
		"/tasks":             "http://orchestrator:8000",
		"/tasks/":            "http://orchestrator:8000",
		"/tasks/123":         "http://orchestrator:8000",
		"/tasks/administer":  "http://orchestrator:8000",
		"/tasks/admin":       "http://admin:9000",
		"/tasks/admin/users": "http://admin:9000",
		"/chat/stream":       "http://chat:3001",
		"/tasksx":            "",
		"/chatty":            "",
		"/":                  "",
		"/other/tasks":       "",
	}
	for path, want := range cases {
		route, ok := table.Match(path)
		got := ""
		if ok {
			got = route.Upstream.String()
		}
		if got != want {
			t.Errorf("Match(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestRootPrefixCatchesEverythingElse(t *testing.T) {
	table, err := Parse("r.yaml", []byte("routes:\n  - {prefix: /, upstream: 'http://web:3000'}\n  - {prefix: /tasks, upstream: 'http://o:8000'}\n"), lookupFrom(nil))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if route, _ := table.Match("/anything"); route.Prefix != "/" {
		t.Fatalf("/anything matched %q, want /", route.Prefix)
	}
	if route, _ := table.Match("/tasks/1"); route.Prefix != "/tasks" {
		t.Fatalf("/tasks/1 matched %q, want /tasks", route.Prefix)
	}
}

func TestRouteFileErrorsNameFileAndProblem(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"empty file", "", []string{"is empty"}},
		{"no routes", "routes: []\n", []string{"'routes' is missing or empty"}},
		{"not yaml", "routes: [\n", []string{"not a valid route table"}},
		{"unknown key", "routes:\n  - {prefix: /a, upstream: 'http://a:1', upstreem: x}\n", []string{"upstreem"}},
		{"prefix without slash", "routes:\n  - {prefix: tasks, upstream: 'http://a:1'}\n", []string{"routes[0].prefix", "must start with '/'"}},
		{"missing prefix", "routes:\n  - {upstream: 'http://a:1'}\n", []string{"routes[0].prefix", "is missing"}},
		{"duplicate prefix", "routes:\n  - {prefix: /a, upstream: 'http://a:1'}\n  - {prefix: /a/, upstream: 'http://b:1'}\n", []string{"routes[1].prefix", "already used by routes[0]"}},
		{"relative upstream", "routes:\n  - {prefix: /a, upstream: 'orchestrator:8000'}\n", []string{"routes[0].upstream", "not an absolute http(s) URL"}},
		{"ftp upstream", "routes:\n  - {prefix: /a, upstream: 'ftp://a:21'}\n", []string{"routes[0].upstream", "not an absolute http(s) URL"}},
		{"upstream with path", "routes:\n  - {prefix: /a, upstream: 'http://a:1/api'}\n", []string{"routes[0].upstream", "without path"}},
		{"unset variable", "routes:\n  - {prefix: /a, upstream: '${NOPE_URL}'}\n", []string{"routes[0].upstream", "NOPE_URL is not set"}},
		{"bad variable", "routes:\n  - {prefix: /a, upstream: '${NOT-A-NAME}'}\n", []string{"routes[0].upstream", "not a valid variable reference"}},
		{"unclosed variable", "routes:\n  - {prefix: /a, upstream: 'http://${HOST'}\n", []string{"routes[0].upstream", "unclosed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/etc/gateway/routes.yaml", []byte(tc.yaml), lookupFrom(map[string]string{"HOST": "h"}))
			if err == nil {
				t.Fatal("Parse accepted the table")
			}
			message := err.Error()
			if !strings.HasPrefix(message, "routes file /etc/gateway/routes.yaml: ") {
				t.Errorf("error %q does not start with the file name", message)
			}
			for _, fragment := range tc.want {
				if !strings.Contains(message, fragment) {
					t.Errorf("error %q does not contain %q", message, fragment)
				}
			}
		})
	}
}

func TestMissingFileNamesPathAndVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := Load(path, lookupFrom(nil))
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "GATEWAY_ROUTES_FILE") {
		t.Fatalf("error %v should name %s and GATEWAY_ROUTES_FILE", err, path)
	}
	if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
		t.Fatalf("Load created %s", path)
	}
}
