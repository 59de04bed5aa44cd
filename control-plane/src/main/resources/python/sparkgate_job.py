"""Reports what a PySpark job did to its Sparkgate run, as RunMetrics does for JVM jobs.

Sparkgate puts this module on the path of every Python job it launches, so a job only imports it:

    import sparkgate_job
    sparkgate_job.report(spark, {"rows_written": n, "quality_failures": 0})

The service passes the address in the Spark conf (spark.sparkgate.metricsUrl) and a secret that only
this run holds in the driver's environment (SPARK_SPARKGATE_METRICS_TOKEN), never on a command line
or in the conf that Spark's UI and event log show. Metrics are a JSON object of names to numbers,
strings or booleans. Outside Sparkgate, or without the secret, they are only printed. A report never
fails the job: it returns whether the service accepted it.
"""

import json
import os
import sys
import urllib.error
import urllib.request

TOKEN_ENV = "SPARK_SPARKGATE_METRICS_TOKEN"
URL_CONF = "spark.sparkgate.metricsUrl"

# Straight to the service, as the JVM's HttpClient goes: an HTTP_PROXY set for other traffic must
# not carry the run's secret elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def report(spark, metrics):
    """Prints the metrics and reports them to the run; True when the service accepted them."""
    body = json.dumps(metrics, separators=(",", ":"), allow_nan=False)
    print("sparkgate metrics: " + body, flush=True)
    url = spark.conf.get(URL_CONF, "")
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not url:
        return False
    if not token:
        print(
            f"sparkgate metrics: not reported, the driver has no {TOKEN_ENV}"
            " (YARN and Kubernetes cluster mode do not pass it on)",
            file=sys.stderr,
        )
        return False
    request = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token},
    )
    # Metrics are worth a retry but never worth failing the job over.
    for _ in range(3):
        try:
            with _OPENER.open(request, timeout=10):
                return True
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", errors="replace")
            print(f"sparkgate metrics: rejected with {e.code}: {detail}", file=sys.stderr)
            if e.code < 500:
                return False
        except OSError as e:
            print(f"sparkgate metrics: {e}", file=sys.stderr)
    return False
