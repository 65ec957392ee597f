"""PromQL over HTTP: the Prometheus query API of an Azure Monitor workspace (or any Prometheus).

Azure Monitor managed Prometheus answers `POST <query endpoint>/api/v1/query` with a bearer token for the
`https://prometheus.monitor.azure.com` audience, held by an identity with Monitoring Data Reader on the workspace
(https://learn.microsoft.com/azure/azure-monitor/metrics/prometheus-api-promql). No Azure SDK wraps PromQL, so
this is the standard library's HTTP client. The token: `$AKS_ISTIO_PROMETHEUS_TOKEN` when set (CI systems that
hold one), else azure-identity's DefaultAzureCredential (`pip install aks-istio[fleet]`); a Prometheus on
localhost is asked without one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, Final

TOKEN_ENV: Final = "AKS_ISTIO_PROMETHEUS_TOKEN"
SCOPE: Final = "https://prometheus.monitor.azure.com/.default"
LOCAL_HOSTS: Final = ("localhost", "127.0.0.1", "::1")
TIMEOUT_SECONDS: Final = 30


class QueryError(RuntimeError):
    """The query could not be answered: the endpoint, the token or the query itself (the message says which)."""


class NoCredentialError(QueryError):
    """No token: neither $AKS_ISTIO_PROMETHEUS_TOKEN nor azure-identity."""


def is_local(endpoint: str) -> bool:
    return urllib.parse.urlsplit(endpoint).hostname in LOCAL_HOSTS


def bearer_token(endpoint: str) -> str | None:
    """The token to send: $AKS_ISTIO_PROMETHEUS_TOKEN, else none for a local Prometheus, else azure-identity's."""
    token = os.environ.get(TOKEN_ENV)
    if token:
        return token
    if is_local(endpoint):
        return None
    try:
        from azure.identity import DefaultAzureCredential  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise NoCredentialError(
            f"no token for {endpoint}: set ${TOKEN_ENV}, or install azure-identity (pip install 'aks-istio[fleet]') "
            "to use your Azure login"
        ) from None
    try:
        return str(DefaultAzureCredential().get_token(SCOPE).token)
    except Exception as error:  # azure-identity's own errors (no login, no managed identity): named, not raised
        raise NoCredentialError(f"no Azure token for {SCOPE}: {error}") from None


Vector = dict[str, float]
"""An instant vector keyed by one label's value (the cluster's name)."""


class PrometheusClient:
    """Instant queries against one endpoint, with one token."""

    def __init__(self, endpoint: str, token: str | None, *, opener: Callable[..., Any] | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._open = opener or urllib.request.urlopen

    def query(self, promql: str, at: float, by: str) -> Vector:
        """The instant vector of `promql` at the Unix time `at`, keyed by the value of label `by`."""
        body = urllib.parse.urlencode({"query": promql, "time": f"{at:.3f}"}).encode()
        request = urllib.request.Request(f"{self.endpoint}/api/v1/query", data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with self._open(request, timeout=TIMEOUT_SECONDS) as response:
                document = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise QueryError(f"{self.endpoint} answered HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise QueryError(f"{self.endpoint} cannot be queried: {error}") from None
        if document.get("status") != "success":
            raise QueryError(f"{self.endpoint} refused the query: {document.get('error', document)}")
        data = document.get("data") or {}
        if data.get("resultType") != "vector":
            raise QueryError(f"{self.endpoint} answered a {data.get('resultType')}, not an instant vector")
        vector: Vector = {}
        for sample in data.get("result") or []:
            key = (sample.get("metric") or {}).get(by)
            value = float(sample["value"][1])
            if key is not None and value == value:  # NaN (no buckets in the window) is no data
                vector[str(key)] = value
        return vector
