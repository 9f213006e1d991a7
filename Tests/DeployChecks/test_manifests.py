"""What an ops review checks in deploy/kubernetes and deploy/systemd, beyond schema validity.

kubernetes-validate (run by .ci/run) proves each manifest is a valid Kubernetes object; these
tests prove the objects say what docs/operations.md promises.
"""

from __future__ import annotations

import pathlib
import re

from ruamel.yaml import YAML

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
K8S = ROOT / "deploy/kubernetes"
DRAIN_SECONDS = 10  # SIGTERM: stop accepting, finish the calls in flight within 10 s


def load(name: str) -> dict:
    return YAML(typ="safe").load((K8S / name).read_text())


def deployment() -> dict:
    return load("deployment.yaml")


def container() -> dict:
    (only,) = deployment()["spec"]["template"]["spec"]["containers"]
    return only


def test_every_object_carries_the_app_label_and_selectors_match() -> None:
    label = {"app.kubernetes.io/name": "keycloak-mcp-proxy"}
    for path in sorted(K8S.glob("*.yaml")) + sorted(K8S.glob("*/*.yaml")):
        manifest = YAML(typ="safe").load(path.read_text())
        assert manifest["metadata"]["labels"]["app.kubernetes.io/name"] == "keycloak-mcp-proxy", path.name
    spec = deployment()["spec"]
    assert spec["selector"]["matchLabels"] == label
    assert spec["template"]["metadata"]["labels"] == label
    assert load("service.yaml")["spec"]["selector"] == label
    assert load("poddisruptionbudget.yaml")["spec"]["selector"]["matchLabels"] == label
    assert load("networkpolicy.yaml")["spec"]["podSelector"]["matchLabels"] == label


def test_replicas_rollout_and_disruptions_keep_it_serving() -> None:
    spec = deployment()["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert load("poddisruptionbudget.yaml")["spec"]["minAvailable"] >= 1
    hpa = load("horizontalpodautoscaler.yaml")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "keycloak-mcp-proxy"}
    assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] >= hpa["minReplicas"]


def test_probes_point_at_readyz_and_healthz() -> None:
    c = container()
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in c["ports"]


def test_termination_grace_covers_prestop_and_the_drain() -> None:
    pod = deployment()["spec"]["template"]["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + DRAIN_SECONDS + 5


def test_runs_unprivileged_on_a_read_only_root() -> None:
    pod = deployment()["spec"]["template"]["spec"]
    c = container()
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    context = c["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert "add" not in context["capabilities"]
    for kind in ("requests", "limits"):
        assert set(c["resources"][kind]) == {"cpu", "memory"}


def test_config_is_a_directory_mount_of_the_configmap_and_secrets_are_env() -> None:
    c = container()
    pod = deployment()["spec"]["template"]["spec"]
    (mount,) = [m for m in c["volumeMounts"] if m["name"] == "config"]
    assert "subPath" not in mount and "subPathExpr" not in mount, "a subPath mount never sees ConfigMap updates"
    (volume,) = [v for v in pod["volumes"] if v["name"] == "config"]
    configmap = load("configmap.yaml")
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    assert list(configmap["data"]) == ["config.yaml"]
    assert c["args"] == ["serve", "--config", mount["mountPath"] + "/config.yaml"]
    secret = YAML(typ="safe").load((K8S / "secret-example/secret.yaml").read_text())
    assert c["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    assert not any("secret" in str(v).lower() for v in c.get("env", [])), "secrets come from the Secret only"


def test_the_config_listens_on_all_interfaces_with_agents() -> None:
    config = YAML(typ="safe").load(load("configmap.yaml")["data"]["config.yaml"])
    assert config["server"]["listen"] == "0.0.0.0:8080"
    assert config["agents"], "beyond loopback every HTTP call needs an agent's token"


def test_prometheus_annotations_and_no_servicemonitor() -> None:
    annotations = deployment()["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics"}
    kinds = {YAML(typ="safe").load(p.read_text())["kind"] for p in K8S.rglob("*.yaml")}
    assert "ServiceMonitor" not in kinds


def test_network_policy_admits_8080_and_reaches_only_dns_keycloaks_and_the_collector() -> None:
    spec = load("networkpolicy.yaml")["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert [rule["ports"] for rule in spec["ingress"]] == [[{"port": 8080, "protocol": "TCP"}]]
    ports = [sorted((p["port"], p["protocol"]) for p in rule["ports"]) for rule in spec["egress"]]
    assert ports[0] == [(53, "TCP"), (53, "UDP")]
    # The trace collector's OTLP/HTTP port, and only to its pods.
    assert ports[-1] == [(4318, "TCP")]
    assert all("podSelector" in peer for peer in spec["egress"][-1]["to"])
    for rule in spec["egress"]:
        assert rule.get("to"), "an egress rule without `to` would allow every destination"
        for peer in rule["to"]:
            if "ipBlock" in peer:
                assert peer["ipBlock"]["cidr"] != "0.0.0.0/0"


def test_systemd_unit_reloads_with_sighup_and_is_hardened() -> None:
    unit = (ROOT / "deploy/systemd/keycloak-mcp-proxy.service").read_text()
    settings = re.findall(r"^([A-Za-z]+)=(.*)$", unit, re.MULTILINE)
    values = {}
    for key, value in settings:
        values.setdefault(key, []).append(value)
    assert values["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    for key, value in {"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "CapabilityBoundingSet": ""}.items():
        assert values[key] == [value], key
    assert values["SystemCallFilter"][0] == "@system-service"
    assert all(re.fullmatch(r"[a-z0-9-]+:/etc/keycloak-mcp-proxy/credentials/[a-z0-9-]+", v) for v in values["LoadCredential"])
    assert int(values["TimeoutStopSec"][0].removesuffix("s")) > DRAIN_SECONDS
