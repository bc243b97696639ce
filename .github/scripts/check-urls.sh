#!/usr/bin/env bash
# Every URL in a deployed stack's `urls` output answers: an HTTP(S) one with any HTTP status below
# 500 (MinIO's API says 403 to an anonymous GET, JupyterHub redirects to its login: both are up), a
# host:port one (Kafka) by accepting a TCP connection. Retries each for up to 5 minutes, since
# `pulumi up` waits for health checks, not for every UI to finish warming up.
#
#   .github/scripts/check-urls.sh dev|k8s
set -euo pipefail
stack="${1:?usage: check-urls.sh dev|k8s}"
cd "$(dirname "$0")/../.."

script=urls
[ "$stack" = k8s ] && script=urls:k8s
urls=$(npm run --silent "$script")
echo "$urls"

answers() {
  local url=$1 code
  case "$url" in
    http://* | https://*)
      # -k: NiFi's certificate is self-signed.
      code=$(curl -ks -o /dev/null -w '%{http_code}' --max-time 10 "$url" || true)
      [ "$code" != 000 ] && [ "$code" -lt 500 ]
      ;;
    *:*) timeout 5 bash -c "exec 3<>/dev/tcp/${url%:*}/${url##*:}" 2>/dev/null ;;
    *) return 1 ;;
  esac
}

failed=0
while read -r key url; do
  deadline=$((SECONDS + 300))
  until answers "$url"; do
    if ((SECONDS >= deadline)); then
      echo "::error title=${key} does not answer::${url}"
      failed=1
      break
    fi
    sleep 5
  done
  echo "ok: $key $url"
done < <(node -e 'for (const [k, v] of Object.entries(JSON.parse(require("fs").readFileSync(0, "utf8")))) console.log(k + " " + v)' <<<"$urls")
exit "$failed"
