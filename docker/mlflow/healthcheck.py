# Docker HEALTHCHECK for the MLflow image: python is already there, so no curl is needed.
import sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:5000/health", timeout=5) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception as e:  # noqa: BLE001 - any failure means unhealthy
    print(e, file=sys.stderr)
    sys.exit(1)
