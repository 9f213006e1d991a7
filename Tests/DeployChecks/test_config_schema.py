"""config.schema.json against the loader: both accept the same good files and reject the same bad ones.

Run by .ci/run (`pytest Tests/ConfigSchema`) with check-jsonschema from PyPI and the built
`keycloak-mcp-proxy` (PROXY_BIN_DIR, or `swift build --show-bin-path`). Every bad file under
bad/ starts with `# check: <key path>: <message>`, the error `keycloak-mcp-proxy check` must
print for it; the schema must reject the same file at that key path or one of its parents.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import subprocess

import pytest
from ruamel.yaml import YAML

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HERE = pathlib.Path(__file__).resolve().parent
SCHEMA = ROOT / "config.schema.json"
BAD = sorted((HERE / "bad").glob("*.yaml"))
GOOD = sorted((HERE / "good").glob("*.yaml"))
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


def schema_errors(path: pathlib.Path) -> list[str]:
    """The JSON paths (`$.tenants.eu`) at which check-jsonschema rejects the file; [] if it accepts it."""
    out = subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", str(SCHEMA), "-o", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    report = json.loads(out.stdout)
    assert not report.get("parse_errors"), report["parse_errors"]
    assert (out.returncode == 0) == (report["status"] == "ok"), out
    return [error["path"] for error in report["errors"]]


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
