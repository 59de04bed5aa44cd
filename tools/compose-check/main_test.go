package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository's compose file, Dockerfile and example env file, copied into a temporary tree
// with one edit each, must be refused with a message naming the problem; unedited, they pass.

func check(t *testing.T, editCompose, editDockerfile func(string) string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	copyEdited(t, "../../docker-compose.yml", filepath.Join(dir, "docker-compose.yml"), editCompose)
	copyEdited(t, "../../control-plane/Dockerfile", filepath.Join(dir, "control-plane", "Dockerfile"), editDockerfile)
	copyEdited(t, "../../compose.env.example", filepath.Join(dir, "env"), nil)
	if err := os.MkdirAll(filepath.Join(dir, "dags"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--env-file", filepath.Join(dir, "env"), filepath.Join(dir, "docker-compose.yml")}, &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

func copyEdited(t *testing.T, from, to string, edit func(string) string) {
	t.Helper()
	content, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	text := string(content)
	if edit != nil {
		edited := edit(text)
		if edited == text {
			t.Fatalf("the edit changed nothing in %s", from)
		}
		text = edited
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceOnce(old, replacement string) func(string) string {
	return func(text string) string { return strings.Replace(text, old, replacement, 1) }
}

const postgresHealthcheck = `    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U sparkgate -d sparkgate -h 127.0.0.1"]
      interval: 5s
      timeout: 5s
      retries: 10
      start_period: 20s
`

func TestTheRepositoryFilesPass(t *testing.T) {
	code, output := check(t, nil, nil)
	if code != 0 || !strings.Contains(output, "compose-check: OK") {
		t.Fatalf("exit %d:\n%s", code, output)
	}
}

func TestEachBrokenFileIsRefused(t *testing.T) {
	cases := []struct {
		name                        string
		editCompose, editDockerfile func(string) string
		want                        string
	}{
		{"unknown key", replaceOnce("    healthcheck:", "    helthcheck:"), nil, "not a valid compose file"},
		{"missing healthcheck", replaceOnce(postgresHealthcheck, ""), nil, "postgres has no healthcheck"},
		{"unpinned image", replaceOnce("image: postgres:16", "image: postgres"), nil, `image "postgres" has no tag`},
		{"latest image", replaceOnce("image: postgres:16", "image: postgres:latest"), nil, "latest"},
		{"literal secret", replaceOnce(`POSTGRES_PASSWORD: "${SPARKGATE_POSTGRES_PASSWORD:?run scripts/compose-env.sh to create .env}"`, `POSTGRES_PASSWORD: "hunter2"`), nil, "POSTGRES_PASSWORD"},
		{"missing variable", replaceOnce("${SPARKGATE_AIRFLOW_TOKEN_SHA256:?", "${SPARKGATE_NO_SUCH_VARIABLE:?"), nil, "SPARKGATE_NO_SUCH_VARIABLE"},
		{"unpinned base image", nil, replaceOnce("FROM eclipse-temurin:17-jre-noble", "FROM eclipse-temurin"), `"eclipse-temurin" has no tag`},
		{"root final stage", nil, replaceOnce("USER ${SPARKGATE_UID}:${SPARKGATE_UID}", "USER root"), "root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, output := check(t, c.editCompose, c.editDockerfile)
			if code != 1 || !strings.Contains(output, c.want) {
				t.Fatalf("want exit 1 and %q, got exit %d:\n%s", c.want, code, output)
			}
		})
	}
}
