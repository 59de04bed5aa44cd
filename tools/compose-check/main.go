// Command compose-check validates Sparkgate's docker-compose.yml without a Docker engine.
//
// Run it from this directory:
//
//	cd tools/compose-check && go run . --env-file ../../compose.env.example ../../docker-compose.yml
//
// and, to check a Dockerfile on its own as well (the Dockerfiles of services with a build
// section are always checked):
//
//	go run . --env-file ../../compose.env.example --dockerfile ../../control-plane/Dockerfile ../../docker-compose.yml
//
// It loads the compose file with the real Compose parser (compose-go, the library of
// "docker compose"): the Compose Specification's JSON schema, interpolation of ${VAR} from the
// env file only (not from the caller's environment, so ${VAR:?message} fails when the file lacks
// VAR), all profiles, paths resolved relative to the compose file, and its consistency checks.
// Then it checks Sparkgate's own rules:
//
//   - every image has a tag or digest, and no tag is "latest" (in compose and in every FROM and
//     COPY --from of the Dockerfiles it builds);
//   - every service that another waits for with condition service_healthy has a healthcheck;
//   - every long-running service has a healthcheck; one-shot services (those that another waits
//     for with service_completed_successfully) must not restart always;
//   - environment variables that look like secrets are set from ${VAR}, not written literally;
//   - the control plane gets API tokens only as SHA-256 hashes (tokens 0 and 1: name, role,
//     sha256), and no plaintext *_TOKEN value of the env file;
//   - each Dockerfile parses and reads as BuildKit reads it (instruction flags, RUN --mount
//     options, HEALTHCHECK durations, and the lint rules "docker build --check" applies while
//     parsing), and its final stage runs as a non-root USER.
//
// Exit status 0 when all is well, 1 with one line per problem otherwise, 2 on bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// report collects problems and warnings, each on one line.
type report struct {
	problems []string
	warnings []string
}

func (r *report) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *report) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("compose-check", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var envFiles, dockerfiles stringList
	flags.Var(&envFiles, "env-file", "env file for interpolation (repeatable); default: .env next to the compose file")
	flags.Var(&dockerfiles, "dockerfile", "a Dockerfile to check on its own with its ARG defaults (repeatable)")
	controlPlane := flags.String("control-plane", "control-plane", "name of the control-plane service")
	printConfig := flags.Bool("print", false, "print the resolved configuration, like \"docker compose config\" (it shows the env file's secrets)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: compose-check [--env-file FILE] [--dockerfile FILE] [--control-plane NAME] [--print] COMPOSE_FILE")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return 2
	}
	composeFile, err := filepath.Abs(flags.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "compose-check: %v\n", err)
		return 2
	}
	for i, f := range envFiles {
		if envFiles[i], err = filepath.Abs(f); err != nil {
			fmt.Fprintf(stderr, "compose-check: %v\n", err)
			return 2
		}
	}

	r := &report{}
	project, err := loadProject(composeFile, envFiles)
	if err != nil {
		fmt.Fprintf(stderr, "compose-check: FAIL: %s is not a valid compose file: %v\n", composeFile, err)
		if strings.Contains(err.Error(), "false schema") {
			fmt.Fprintln(stderr, "compose-check: (\"false schema\" means the Compose Specification allows no such key there: an unknown or misspelt key)")
		}
		return 1
	}
	raw, err := loadRawServices(composeFile, envFiles)
	if err != nil {
		fmt.Fprintf(stderr, "compose-check: FAIL: %s (uninterpolated): %v\n", composeFile, err)
		return 1
	}

	if *printConfig {
		out, err := project.MarshalYAML()
		if err != nil {
			fmt.Fprintf(stderr, "compose-check: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", out)
	}

	checkImages(project, r)
	checkHealthchecks(project, r)
	checkLiteralSecrets(raw, *controlPlane, r)
	checkControlPlane(project, *controlPlane, r)
	checkBuilds(project, r)
	for _, path := range dockerfiles {
		checkDockerfile(path, nil, nil, r)
	}

	for _, w := range r.warnings {
		fmt.Fprintf(stderr, "compose-check: warning: %s\n", w)
	}
	if len(r.problems) > 0 {
		for _, p := range r.problems {
			fmt.Fprintf(stderr, "compose-check: FAIL: %s\n", p)
		}
		fmt.Fprintf(stderr, "compose-check: %d problem(s) in %s\n", len(r.problems), composeFile)
		return 1
	}
	fmt.Fprintf(stdout, "compose-check: OK: %s (%d services, %d volumes; schema, interpolation and Sparkgate rules)\n",
		composeFile, len(project.Services), len(project.Volumes))
	return 0
}

// loadProject loads the compose file as "docker compose" does, with schema validation on and
// the environment taken from the env files only.
func loadProject(composeFile string, envFiles []string) (*types.Project, error) {
	options, err := cli.NewProjectOptions(
		[]string{composeFile},
		cli.WithWorkingDirectory(filepath.Dir(composeFile)),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithProfiles([]string{"*"}),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
		cli.WithLoadOptions(func(o *loader.Options) { o.SkipValidation = false }),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

// loadRawServices returns the services section before interpolation, to see which values were
// written literally in the file.
func loadRawServices(composeFile string, envFiles []string) (map[string]any, error) {
	options, err := cli.NewProjectOptions(
		[]string{composeFile},
		cli.WithWorkingDirectory(filepath.Dir(composeFile)),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithProfiles([]string{"*"}),
		cli.WithInterpolation(false),
		cli.WithLoadOptions(func(o *loader.Options) { o.SkipValidation = true }),
	)
	if err != nil {
		return nil, err
	}
	model, err := options.LoadModel(context.Background())
	if err != nil {
		return nil, err
	}
	services, _ := model["services"].(map[string]any)
	return services, nil
}

func sortedServiceNames(project *types.Project) []string {
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// pinned tells why an image reference is not pinned, or "" when it is.
func pinned(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Sprintf("is not a valid image reference (%v)", err)
	}
	if _, ok := named.(reference.Digested); ok {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return "has no tag (it would mean :latest)"
	}
	if tagged.Tag() == "latest" {
		return "uses the tag latest"
	}
	return ""
}

func checkImages(project *types.Project, r *report) {
	for _, name := range sortedServiceNames(project) {
		service := project.Services[name]
		if service.Image == "" {
			r.fail("service %s: no image name; a built image would be tagged :latest (give it image: NAME:TAG)", name)
			continue
		}
		if why := pinned(service.Image); why != "" {
			r.fail("service %s: image %q %s", name, service.Image, why)
		}
	}
}

// oneShot returns the services that others wait for with service_completed_successfully.
func oneShot(project *types.Project) map[string]bool {
	result := map[string]bool{}
	for _, service := range project.Services {
		for dep, cfg := range service.DependsOn {
			if cfg.Condition == types.ServiceConditionCompletedSuccessfully {
				result[dep] = true
			}
		}
	}
	return result
}

func hasHealthcheck(service types.ServiceConfig) bool {
	hc := service.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 {
		return false
	}
	return hc.Test[0] != "NONE"
}

func checkHealthchecks(project *types.Project, r *report) {
	once := oneShot(project)
	for _, name := range sortedServiceNames(project) {
		service := project.Services[name]
		deps := make([]string, 0, len(service.DependsOn))
		for dep := range service.DependsOn {
			deps = append(deps, dep)
		}
		sort.Strings(deps)
		for _, dep := range deps {
			cfg := service.DependsOn[dep]
			target, ok := project.Services[dep]
			if !ok {
				continue // compose-go's consistency check reports it
			}
			switch cfg.Condition {
			case types.ServiceConditionHealthy:
				if !hasHealthcheck(target) {
					r.fail("service %s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				}
				if once[dep] {
					r.fail("service %s waits for %s to be healthy, but %s is a one-shot service", name, dep, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if hasHealthcheck(target) {
					r.warn("service %s waits for one-shot %s to complete, which has a healthcheck", name, dep)
				}
			}
		}
		if once[name] {
			if service.Restart == types.RestartPolicyAlways || service.Restart == types.RestartPolicyUnlessStopped {
				r.fail("one-shot service %s has restart: %s (it would run again and again)", name, service.Restart)
			}
			continue
		}
		if !hasHealthcheck(service) {
			r.fail("long-running service %s has no healthcheck (one-shot services are those others wait for with service_completed_successfully)", name)
		}
	}
}

// interpolated matches a value that refers to a variable: ${VAR...} or $VAR, not the escaped $$.
var interpolated = regexp.MustCompile(`(^|[^$])(\$\$)*\$(\{|[A-Za-z_])`)

// secretName matches environment variable names whose values are secrets (or, for *_SHA256,
// must come from the env file all the same).
var secretName = regexp.MustCompile(`(?i)((PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|SHA256|FERNET_KEY|PRIVATE_KEY|API_KEY)$|^AIRFLOW_CONN_)`)

// variableRef finds the variables a raw value refers to.
var variableRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

func checkLiteralSecrets(services map[string]any, controlPlane string, r *report) {
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		service, _ := services[name].(map[string]any)
		env := rawEnvironment(service["environment"])
		keys := make([]string, 0, len(env))
		for key := range env {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			value := env[key]
			if value == nil {
				continue
			}
			if secretName.MatchString(key) && !interpolated.MatchString(*value) {
				r.fail("service %s: %s is written in the compose file; secrets must come from the env file (${VAR:?...})", name, key)
			}
			if name != controlPlane {
				continue
			}
			for _, m := range variableRef.FindAllStringSubmatch(strings.ReplaceAll(*value, "$$", ""), -1) {
				if strings.HasSuffix(m[1], "_TOKEN") {
					r.fail("service %s: %s uses ${%s}, a plaintext token; give the control plane only its SHA-256", name, key, m[1])
				}
			}
		}
	}
}

// rawEnvironment reads an uninterpolated environment section, in its map or list form. A nil
// value is a variable passed through from the env file without a value in the compose file.
func rawEnvironment(section any) map[string]*string {
	result := map[string]*string{}
	switch env := section.(type) {
	case map[string]any:
		for k, v := range env {
			if v == nil {
				result[k] = nil
				continue
			}
			s := fmt.Sprint(v)
			result[k] = &s
		}
	case []any:
		for _, item := range env {
			entry := fmt.Sprint(item)
			if k, v, ok := strings.Cut(entry, "="); ok {
				result[k] = &v
			} else {
				result[entry] = nil
			}
		}
	}
	return result
}

var (
	hex64     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	tokenName = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
	tokenRole = regexp.MustCompile(`^(viewer|operator|admin)$`)
	tokenKey  = regexp.MustCompile(`^SPARKGATE_SECURITY_TOKENS_([0-9]+)_([A-Z0-9]+)$`)
)

func checkControlPlane(project *types.Project, name string, r *report) {
	service, ok := project.Services[name]
	if !ok {
		r.fail("there is no control-plane service %q (see --control-plane)", name)
		return
	}
	env := map[string]string{}
	for k, v := range service.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	indexes := map[int]bool{0: true, 1: true}
	for key := range env {
		if m := tokenKey.FindStringSubmatch(key); m != nil {
			i, _ := strconv.Atoi(m[1])
			indexes[i] = true
			switch m[2] {
			case "NAME", "ROLE", "SHA256":
			default:
				r.fail("service %s: %s is not a token setting (only NAME, ROLE and SHA256; never the token itself)", name, key)
			}
		}
	}
	order := make([]int, 0, len(indexes))
	for i := range indexes {
		order = append(order, i)
	}
	sort.Ints(order)
	admins := 0
	for _, i := range order {
		prefix := fmt.Sprintf("SPARKGATE_SECURITY_TOKENS_%d_", i)
		tokName, tokRole, tokHash := env[prefix+"NAME"], env[prefix+"ROLE"], env[prefix+"SHA256"]
		for _, part := range []struct{ key, value string }{{"NAME", tokName}, {"ROLE", tokRole}, {"SHA256", tokHash}} {
			if strings.TrimSpace(part.value) == "" {
				r.fail("service %s: %s%s is missing or empty", name, prefix, part.key)
			}
		}
		if tokName != "" && !tokenName.MatchString(tokName) {
			r.fail("service %s: %sNAME %q is not 1 to 64 of [A-Za-z0-9_.@-]", name, prefix, tokName)
		}
		if tokRole != "" && !tokenRole.MatchString(tokRole) {
			r.fail("service %s: %sROLE %q is not viewer, operator or admin", name, prefix, tokRole)
		}
		if tokRole == "admin" {
			admins++
		}
		if tokHash != "" && !hex64.MatchString(tokHash) {
			r.warn("service %s: %sSHA256 is not 64 lowercase hex digits: the control plane will refuse to start (expected with compose.env.example's placeholders, not with a real .env)", name, prefix)
		}
	}
	if admins == 0 {
		r.fail("service %s: no token has role admin", name)
	}
	// The plaintext tokens of the env file must not reach the control plane, not even through an
	// env_file (placeholders shared by several variables are not tokens).
	counts := map[string]int{}
	for _, value := range project.Environment {
		counts[value]++
	}
	for key, secret := range project.Environment {
		if !strings.HasSuffix(key, "_TOKEN") || len(secret) < 16 || counts[secret] > 1 {
			continue
		}
		for envKey, value := range env {
			if strings.Contains(value, secret) {
				r.fail("service %s: %s carries the plaintext value of %s; give the control plane only its SHA-256", name, envKey, key)
			}
		}
	}
}

// checkBuilds checks the Dockerfile of every service that has a build section, with the
// service's build args applied over the Dockerfile's ARG defaults.
func checkBuilds(project *types.Project, r *report) {
	for _, name := range sortedServiceNames(project) {
		build := project.Services[name].Build
		if build == nil {
			continue
		}
		args := map[string]string{}
		for k, v := range build.Args {
			if v != nil {
				args[k] = *v
			}
		}
		label := "service " + name
		if build.DockerfileInline != "" {
			checkDockerfileContent(label+" (dockerfile_inline)", strings.NewReader(build.DockerfileInline), args, r)
			continue
		}
		dockerfile := build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(build.Context, dockerfile)
		}
		checkDockerfile(dockerfile, args, &label, r)
	}
}

func checkDockerfile(path string, args map[string]string, label *string, r *report) {
	name := path
	if label != nil {
		name = *label + " (" + path + ")"
	}
	f, err := os.Open(path)
	if err != nil {
		r.fail("%s: %v", name, err)
		return
	}
	defer f.Close()
	checkDockerfileContent(name, f, args, r)
}

// mapEnv is a shell.EnvGetter over a map.
type mapEnv map[string]string

func (m mapEnv) Get(key string) (string, bool) { v, ok := m[key]; return v, ok }
func (m mapEnv) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// checkDockerfileContent parses a Dockerfile with BuildKit's parser and instruction reader (and
// their lint rules) and checks that every base image (FROM, COPY/ADD --from) is pinned and that
// the final stage sets a non-root USER.
func checkDockerfileContent(name string, content io.Reader, buildArgs map[string]string, r *report) {
	result, err := parser.Parse(content)
	if err != nil {
		r.fail("%s: does not parse: %v", name, err)
		return
	}
	for _, w := range result.Warnings {
		r.warn("%s: line %d: %s", name, firstLine(w.Location), w.Short)
	}
	// BuildKit's own reading of each instruction (flags, --mount, HEALTHCHECK options, ...) with
	// the lint rules that "docker build --check" applies while parsing.
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, message string, location []parser.Range) {
		line := 0
		if len(location) > 0 {
			line = location[0].Start.Line
		}
		r.fail("%s: line %d: %s: %s", name, line, rule, message)
	}})
	parsedStages, _, err := instructions.Parse(result.AST, lint)
	if err != nil {
		r.fail("%s: %v", name, err)
		return
	}
	// What BuildKit checks only once it expands variables (RUN --mount options, ...), with the
	// words taken as they are.
	unchanged := func(word string) (string, error) { return word, nil }
	for _, stage := range parsedStages {
		for _, command := range stage.Commands {
			if e, ok := command.(instructions.SupportsSingleWordExpansion); ok {
				if err := e.Expand(unchanged); err != nil {
					r.fail("%s: line %d: %s: %v", name, firstLine(firstRange(command.Location())), strings.ToUpper(command.Name()), err)
				}
			}
		}
	}
	lex := shell.NewLex(result.EscapeToken)
	metaArgs := mapEnv{}
	stages := map[string]bool{}
	stageCount := 0
	lastUser := ""
	for _, node := range result.AST.Children {
		instruction := strings.ToLower(node.Value)
		switch instruction {
		case "arg":
			if stageCount > 0 {
				continue // stage-scoped ARGs cannot affect FROM
			}
			for arg := node.Next; arg != nil; arg = arg.Next {
				key, value, hasDefault := strings.Cut(arg.Value, "=")
				if v, ok := buildArgs[key]; ok {
					metaArgs[key] = v
				} else if hasDefault {
					expanded, _, err := lex.ProcessWord(value, metaArgs)
					if err != nil {
						r.fail("%s: line %d: ARG %s: %v", name, node.StartLine, key, err)
						continue
					}
					metaArgs[key] = expanded
				}
			}
		case "from":
			stageCount++
			lastUser = ""
			if node.Next == nil {
				r.fail("%s: line %d: FROM without an image", name, node.StartLine)
				continue
			}
			image, _, err := lex.ProcessWord(node.Next.Value, metaArgs)
			if err != nil {
				r.fail("%s: line %d: FROM %s: %v", name, node.StartLine, node.Next.Value, err)
				continue
			}
			if image == "" {
				r.fail("%s: line %d: FROM %s expands to nothing (an ARG without a default?)", name, node.StartLine, node.Next.Value)
			} else if image != "scratch" && !stages[strings.ToLower(image)] {
				if why := pinned(image); why != "" {
					r.fail("%s: line %d: FROM %s: image %q %s", name, node.StartLine, node.Next.Value, image, why)
				}
			}
			if as := node.Next.Next; as != nil && strings.EqualFold(as.Value, "as") && as.Next != nil {
				stages[strings.ToLower(as.Next.Value)] = true
			}
		case "copy", "add":
			for _, flag := range node.Flags {
				from, ok := strings.CutPrefix(flag, "--from=")
				if !ok {
					continue
				}
				if stages[strings.ToLower(from)] {
					continue
				}
				if _, err := strconv.Atoi(from); err == nil {
					continue // a stage by index
				}
				if why := pinned(from); why != "" {
					r.fail("%s: line %d: %s --from=%s: image %s", name, node.StartLine, strings.ToUpper(instruction), from, why)
				}
			}
		case "user":
			if node.Next != nil {
				lastUser = node.Next.Value
			}
		}
	}
	if stageCount == 0 {
		r.fail("%s: no FROM instruction", name)
		return
	}
	user, _, _ := strings.Cut(lastUser, ":")
	if user == "" || user == "root" || user == "0" {
		r.fail("%s: the final stage runs as root (add USER with a non-root user)", name)
	}
}

func firstRange(ranges []parser.Range) *parser.Range {
	if len(ranges) == 0 {
		return nil
	}
	return &ranges[0]
}

func firstLine(location *parser.Range) int {
	if location == nil {
		return 0
	}
	return location.Start.Line
}
