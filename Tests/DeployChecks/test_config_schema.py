"""config.schema.json against the loader: both accept the same good files and reject the same bad ones.

Run by .ci/run (`pytest Tests/DeployChecks`) with check-jsonschema from PyPI and the built
`keycloak-mcp-proxy` (PROXY_BIN_DIR, or `swift build --show-bin-path`). Every bad file under
bad/ starts with `# check: <key path>: <message>`, the error `keycloak-mcp-proxy check` must
print for it; the schema must reject the same file at that key path or one of its parents.

check-only/ holds what a JSON Schema cannot tell from a good file (a quoted `${NAME}` where an
integer is due, a tenant name that must exist, a duration's parts added up): `check` rejects
each, the schema accepts it, and its second line `# schema cannot tell: <phrase>` is a phrase
of the list in docs/operations.md. A file the schema learns to reject moves to bad/.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import random
import re
import subprocess

import pytest
from ruamel.yaml import YAML

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HERE = pathlib.Path(__file__).resolve().parent
SCHEMA = ROOT / "config.schema.json"
BAD = sorted((HERE / "bad").glob("*.yaml"))
GOOD = sorted((HERE / "good").glob("*.yaml"))
CHECK_ONLY = sorted((HERE / "check-only").glob("*.yaml"))
OPERATIONS = ROOT / "docs" / "operations.md"
SECRET = "schema-test-secret-value-7f3a"
ENV = {
    "KC_EU_SECRET": SECRET,
    "MAX_CONNECTIONS": "8",
    "BOT_TOKEN_SHA256": "ab" * 32,
}


def bin_dir() -> pathlib.Path:
    if "PROXY_BIN_DIR" in os.environ:
        return pathlib.Path(os.environ["PROXY_BIN_DIR"])
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return pathlib.Path(out.stdout.strip())


PROXY = str(bin_dir() / "keycloak-mcp-proxy")
CHECK_JSONSCHEMA = str(pathlib.Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "check-jsonschema")


def schema_report(*paths: pathlib.Path) -> list[dict]:
    """check-jsonschema's errors for the files, each with its `filename` and JSON `path`."""
    out = subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), "-o", "json", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )
    report = json.loads(out.stdout)
    assert not report.get("parse_errors"), report["parse_errors"]
    assert (out.returncode == 0) == (report["status"] == "ok"), out
    return report["errors"]


def schema_errors(path: pathlib.Path) -> list[str]:
    """The JSON paths (`$.tenants.eu`) at which check-jsonschema rejects the file; [] if it accepts it."""
    return [error["path"] for error in schema_report(path)]


def check(path: pathlib.Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PROXY, "check", "--config", str(path)],
        capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin", **env},
    )
    for value in env.values():
        if len(value) >= 16:
            assert value not in result.stdout + result.stderr, "a secret was printed"
    return result


def json_path(key_path: str) -> str:
    """`tenants.eu.tools[0]` as check-jsonschema writes it: `$.tenants.eu.tools[0]`."""
    return "$" + ("." + key_path if key_path else "")


def assert_both_accept(path: pathlib.Path, env: dict[str, str]) -> None:
    assert schema_errors(path) == []
    result = check(path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {path}:")


def test_schema_is_valid_draft_2020_12() -> None:
    assert json.loads(SCHEMA.read_text())["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    out = subprocess.run([CHECK_JSONSCHEMA, "--check-metaschema", str(SCHEMA)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_example_is_accepted_with_its_variables_left_as_strings() -> None:
    example = ROOT / "config.example.yaml"
    assert example.read_text().splitlines()[0] == "# yaml-language-server: $schema=./config.schema.json"
    assert "${KC_EU_SECRET}" in example.read_text()
    env = {"KC_EU_SECRET": SECRET, "KC_US_SECRET": SECRET + "-us", "KC_LEGACY_PASSWORD": SECRET + "-legacy",
           "HELPDESK_AGENT_TOKEN": SECRET + "-helpdesk"}
    assert_both_accept(example, env)


def configmap_config() -> str:
    manifest = YAML(typ="safe").load((ROOT / "deploy/kubernetes/configmap.yaml").read_text())
    return manifest["data"]["config.yaml"]


def secret_example_env() -> dict[str, str]:
    manifest = YAML(typ="safe").load((ROOT / "deploy/kubernetes/secret-example/secret.yaml").read_text())
    return dict(manifest["stringData"])


def test_configmap_config_is_accepted(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(configmap_config())
    env = secret_example_env()
    # Every ${NAME} in the ConfigMap is a key of the Secret, and nothing else is needed.
    assert set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", config.read_text())) == set(env)
    assert_both_accept(config, env)


def test_systemd_config_is_accepted(tmp_path: pathlib.Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    unit = (ROOT / "deploy/systemd/keycloak-mcp-proxy.service").read_text()
    names = re.findall(r"^LoadCredential=([^:]+):", unit, re.MULTILINE)
    assert names, "the unit loads no credential"
    for name in names:
        (credentials / name).write_text(SECRET + "-" + name + "\n")
    config_text = (ROOT / "deploy/systemd/config.yaml").read_text()
    # Every credential the config reads is one the unit loads.
    assert set(re.findall(r"\$\{CREDENTIALS_DIRECTORY\}/([A-Za-z0-9_.-]+)", config_text)) == set(names)
    # The audit log's directory is the unit's LogsDirectory; here, a temporary one.
    config = tmp_path / "config.yaml"
    config.write_text(config_text.replace("/var/log/keycloak-mcp-proxy/", str(tmp_path) + "/"))
    assert_both_accept(config, {"CREDENTIALS_DIRECTORY": str(credentials)})


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_good_file_is_accepted_by_schema_and_check(path: pathlib.Path) -> None:
    assert_both_accept(path, ENV)


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_file_is_rejected_by_schema_and_check(path: pathlib.Path) -> None:
    header = path.read_text().splitlines()[0]
    assert header.startswith("# check: "), f"{path.name} has no '# check: ' header"
    expected = header.removeprefix("# check: ")

    result = check(path, ENV)
    assert result.returncode == 1, result.stdout + result.stderr
    pattern = rf"{re.escape(str(path))}:\d+:\d+: {re.escape(expected)}"
    assert any(re.match(pattern, line) for line in result.stderr.splitlines()), (
        f"check did not print {expected!r}:\n{result.stderr}"
    )

    # The header's leading key path (`tenants.eu.timeout: ...`), or the whole file.
    head = expected.split(": ", 1)[0]
    target = json_path(head) if ": " in expected and re.fullmatch(r"[A-Za-z0-9_. \-\[\]]+", head) else "$"
    paths = schema_errors(path)
    assert paths, "the schema accepts a file the loader rejects"
    assert any(target == p or target.startswith(p + ".") or target.startswith(p + "[") for p in paths), (
        f"the schema rejects at {paths}, not at {target} or a parent of it"
    )


def test_the_required_kinds_of_bad_file_exist() -> None:
    names = {p.stem for p in BAD}
    for kind in ["unknown-key", "wrong-type-integer", "bad-duration", "bad-grant-type", "bad-token-sha256-short", "missing-url"]:
        assert kind in names
    # Where the schema once disagreed with the loader: ${NAME} where an integer is due, duration
    # ranges, an agent's tenants, empty sections.
    for kind in ["escaped-variable-where-integer-due", "duration-above-range", "duration-part-above-range",
                 "duration-below-range", "duration-zero", "agent-tenant-left-empty", "tenant-left-empty", "token-left-empty"]:
        assert kind in names
    # OAuth sign-in: server.oauth needs public_url; an agent has token_sha256, token or oauth,
    # never both tokens; client_role needs both of its keys.
    for kind in ["oauth-without-public-url", "token-and-token-sha256", "client-role-without-role", "agent-oauth-left-empty"]:
        assert kind in names
    assert {"empty-optional-sections", "empty-agents-and-server", "durations-at-range-edges",
            "variables-in-typed-values", "oauth-agents"} <= {p.stem for p in GOOD}
    assert {"quoted-variable-where-integer-due", "agent-tenant-not-configured", "duration-sum-above-range"} <= {
        p.stem for p in CHECK_ONLY}


@pytest.mark.parametrize("path", CHECK_ONLY, ids=[p.name for p in CHECK_ONLY])
def test_check_only_file_is_rejected_by_check_and_documented_as_beyond_the_schema(path: pathlib.Path) -> None:
    check_line, reason_line = path.read_text().splitlines()[:2]
    assert check_line.startswith("# check: "), f"{path.name} has no '# check: ' header"
    assert reason_line.startswith("# schema cannot tell: "), f"{path.name} has no '# schema cannot tell: ' line"
    expected = check_line.removeprefix("# check: ")
    reason = reason_line.removeprefix("# schema cannot tell: ")

    result = check(path, ENV)
    assert result.returncode == 1, result.stdout + result.stderr
    pattern = rf"{re.escape(str(path))}:\d+:\d+: {re.escape(expected)}"
    assert any(re.match(pattern, line) for line in result.stderr.splitlines()), (
        f"check did not print {expected!r}:\n{result.stderr}"
    )
    # If the schema now rejects it, the file belongs in bad/ and the docs' list is shorter.
    assert schema_errors(path) == [], "the schema rejects this file now: move it to bad/ and update docs/operations.md"
    docs = " ".join(OPERATIONS.read_text().split())
    assert reason in docs, f"docs/operations.md does not list {reason!r} among what the schema cannot tell"


# Durations near every range's ends, in every unit, with leading zeros, fractions and sums.
DURATION_KEYS = {  # key path under a tenant or server: (lowest, highest) in ms, as the loader checks
    "pool.idle_timeout": (1, 3_600_000), "timeouts.connect": (1, 300_000),
    "timeouts.request": (1, 600_000), "breaker.cool_down": (1, 3_600_000),
}
SERVER_DURATION_KEYS = {"idle_timeout": (100, 3_600_000), "response_timeout": (1_000, 3_600_000)}
SERVER_OAUTH_LEEWAY = (0, 600_000)
UNIT_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000}


def random_duration(rnd: random.Random) -> str:
    def part() -> str:
        unit = rnd.choice(list(UNIT_MS))
        edge = rnd.choice([0, 1, 99, 100, 101, 999, 1_000, 1_001, 300_000, 300_001, 600_000, 600_001,
                           3_600_000, 3_600_001, rnd.randint(0, 4_000_000)])
        shape = rnd.random()
        if shape < 0.5:  # a whole number near an edge, in this unit if it divides
            number = str(max(edge // UNIT_MS[unit] + rnd.choice([-1, 0, 0, 1]), 0))
        elif shape < 0.65:
            number = "0" * rnd.randint(1, 2) + str(rnd.randint(0, 4_000))
        elif shape < 0.9:
            number = f"{rnd.randint(0, 3_601)}.{rnd.randint(0, 9_999):04d}"
        else:
            number = rnd.choice([f".{rnd.randint(0, 999)}", f"{rnd.randint(0, 99)}."])
        return number + unit
    return "".join(part() for _ in range(rnd.choice([1, 1, 1, 2, 3])))


def test_duration_ranges_never_refuse_what_check_accepts(tmp_path: pathlib.Path) -> None:
    """The schema's range patterns against the loader on generated durations: the schema never
    refuses a duration `check` accepts, and on a single whole number (`61m`, `99ms`) both agree.
    Sums and fractions it lets through are check's (docs/operations.md says so)."""
    rnd = random.Random(21)
    cases: dict[tuple[str, str], tuple[str, tuple[int, int]]] = {}  # (file, key path) -> (value, range)
    files = []
    for number in range(12):
        path = tmp_path / f"durations-{number}.yaml"
        lines = ["version: 1", "server:"]
        for key, bounds in SERVER_DURATION_KEYS.items():
            value = random_duration(rnd)
            lines.append(f'  {key}: "{value}"')
            cases[(path.name, f"server.{key}")] = (value, bounds)
        lines.append("tenants:")
        for tenant in range(25):
            lines += [f"  t{tenant}:", '    url: "https://sso.example.com"',
                      "    auth: { client_id: proxy, client_secret: not-a-secret }", "    default_realm: customers"]
            sections: dict[str, list[str]] = {}
            for key, bounds in DURATION_KEYS.items():
                section, name = key.split(".")
                value = random_duration(rnd)
                sections.setdefault(section, []).append(f'{name}: "{value}"')
                cases[(path.name, f"tenants.t{tenant}.{key}")] = (value, bounds)
            lines += [f"    {section}: {{ {', '.join(keys)} }}" for section, keys in sections.items()]
        # server.oauth.leeway, 0 to 10m (with no agent signing in by oauth, check only warns).
        value = random_duration(rnd)
        lines[2:2] = ['  public_url: "https://mcp-proxy.example.com/mcp"', "  oauth:",
                      '    issuers: [{ issuer: "https://sso.example.com/realms/agents" }]', f'    leeway: "{value}"']
        cases[(path.name, "server.oauth.leeway")] = (value, SERVER_OAUTH_LEEWAY)
        path.write_text("\n".join(lines) + "\n")
        files.append(path)

    check_refused = set()
    for path in files:
        result = check(path, {})
        assert result.returncode in (0, 1), result.stderr
        for match in re.finditer(rf"^{re.escape(str(path))}:\d+:\d+: ([\w.]+): expected a duration from", result.stderr, re.M):
            check_refused.add((path.name, match.group(1)))
        assert "expected a duration like" not in result.stderr, "the generator wrote an invalid duration"
    schema_refused = {(pathlib.Path(error["filename"]).name, error["path"].removeprefix("$."))
                      for error in schema_report(*files)}

    assert schema_refused <= set(cases), f"the schema refused something else: {sorted(schema_refused - set(cases))[:5]}"
    wrongly_refused = sorted((key, cases[key][0]) for key in schema_refused - check_refused)
    assert not wrongly_refused, f"the schema refuses durations check accepts: {wrongly_refused[:10]}"
    whole = {key for key, (value, _) in cases.items() if re.fullmatch(r"[0-9]+(ms|s|m|h)", value)}
    missed = sorted((key, cases[key][0]) for key in (check_refused - schema_refused) & whole)
    assert not missed, f"the schema accepts single whole-number durations check refuses: {missed[:10]}"
    # The generator reaches both sides of the ranges, and the schema catches most refusals.
    assert len(check_refused) > 200 and len(cases) - len(check_refused) > 200
    assert len(schema_refused) > len(check_refused) * 0.6
