#!/usr/bin/env bash
# Socket Lab bootstrap: make this machine able to run the lab, once.
#
#   ./bootstrap.sh          what the lab needs (as root on a bare Debian host; as anyone where
#                           Docker already runs): the README's first command
#   ./bootstrap.sh --test   that, and what the project's tests need too: the README's second
#                           command, and CI's (.ci/run)
#
# Each step checks first and acts only when something is missing, so a second run does
# nothing and says so. On a machine that already has Docker, Compose v2 and a registry,
# it changes nothing outside this folder (it only makes the Python venv in .venv/).
#
#   1. Docker engine answers     else: install it from Debian's packages (root) and start dockerd
#   2. Compose v2 + buildx       else: install them from Debian's packages (root)
#   3. the base image exists     else: docker pull it; if no registry answers, mmdebstrap it
#   4. .venv has lab_runner's    else: python3 -m venv .venv && pip install -e .  (--test: -e '.[test]')
#      Python dependencies
#   5. --test only: a headless   else: install Debian's chromium (root), for the tests that load
#      Chromium                  the exchange page in a real browser (CI=true: required)
#
# A learner's first run pays only for 1-4 without the test extras: Chromium, Playwright and ruff
# are most of a fresh machine's downloads, and lab 3 needs none of them.
#
# Exit codes: 0 ready; 2 cannot proceed (the message says what to do instead).
set -euo pipefail

case "${1:-}" in
    "") tests=0 ;;
    --test) tests=1 ;;
    *) printf 'bootstrap: error: unknown argument %s (usage: %s [--test])\n' "$1" "$0" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_image=${BASE_IMAGE:-debian:bookworm-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
dockerd_log=${DOCKERD_LOG:-/var/log/socketlab-dockerd.log}
did=0   # how many steps changed something
pip_pid=

say()  { printf 'bootstrap: %s\n' "$*"; }
act()  { did=$((did + 1)); say "$*"; }
die()  { printf 'bootstrap: error: %s\n' "$*" >&2; exit 2; }
is_root() { [ "$(id -u)" -eq 0 ]; }
have() { command -v "$1" >/dev/null 2>&1; }
engine_up() { docker info >/dev/null 2>&1; }

apt_updated=0
apt_install() {
    # Debian only: bookworm's docker.io has no Compose v2, so the Docker packages come from
    # trixie, pinned at priority 100 so that nothing else on the host is upgraded from it.
    have apt-get || die "this is not a Debian/Ubuntu host; install Docker Engine with Compose v2 yourself, then run me again"
    is_root || die "installing $* needs root: run 'sudo $0'"
    if grep -qs 'bookworm' /etc/os-release && [ ! -e /etc/apt/sources.list.d/socketlab-trixie.sources ]; then
        act "adding Debian trixie (pinned at priority 100) for docker.io, docker-compose, docker-buildx"
        cat >/etc/apt/sources.list.d/socketlab-trixie.sources <<EOF
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' \
            >/etc/apt/preferences.d/socketlab-trixie
        apt_updated=0
    fi
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq || die "apt-get update failed (is Debian's mirror reachable?)"
        apt_updated=1
    fi
    local pkgs=() p
    for p in "$@"; do
        # The Docker packages are taken from trixie when it is configured (see above).
        if [ -e /etc/apt/sources.list.d/socketlab-trixie.sources ] && [[ $p == docker* ]]; then
            pkgs+=("$p/trixie")
        else
            pkgs+=("$p")
        fi
    done
    act "installing ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
        >/dev/null || die "apt-get install ${pkgs[*]} failed"
}

start_dockerd() {
    # runc, Docker's default. crun would start containers faster, but bookworm's crun (1.8.1)
    # refuses Docker 28's OCI 1.2 bundles ("unknown version specified") and a hybrid cgroup
    # hierarchy such as these machines' ("cgroups in hybrid mode not supported"), and trixie's
    # needs trixie's libc (docs/benchmarks.md, "Grading a class in 90 s").
    act "starting dockerd in the background (log: $dockerd_log)"
    setsid dockerd >>"$dockerd_log" 2>&1 </dev/null &
    local i
    for i in $(seq 1 60); do
        engine_up && return 0
        sleep 1
    done
    die "dockerd did not answer within 60 s; see $dockerd_log"
}

# 1. The engine.
if engine_up; then
    say "ok: Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
else
    is_root || die "no Docker engine answers ('docker info' fails): start Docker, or run 'sudo $0' to install and start it"
    have dockerd || apt_install docker.io $(have docker || echo docker-cli)
    if pidof dockerd >/dev/null; then
        say "dockerd is running but not answering yet: waiting up to 30 s"
        for _ in $(seq 1 30); do engine_up && break; sleep 1; done
        engine_up || die "dockerd runs but does not answer; see its log"
    else
        start_dockerd
    fi
fi

# 2. Compose v2 (a plugin of the docker client) and buildx, which Compose builds with.
if docker compose version >/dev/null 2>&1; then
    say "ok: $(docker compose version | head -n 1)"
else
    apt_install docker-compose docker-buildx
    docker compose version >/dev/null 2>&1 || die "Compose v2 is still missing after installing it"
fi

# 4. (before 3, to overlap with it) The Python side: lab_runner (with pytest and testinfra, which its checks use), in a venv of
# this checkout; with --test, the test extras too (pytest-xdist, ruff, playwright, pyyaml). The
# stamp says what was installed for which pyproject.toml: "lab" or "test" after its checksum.
venv=$here/.venv
stamp=$venv/.socketlab-installed
sum=$(cksum <"$here/pyproject.toml")
installed=$(cat "$stamp" 2>/dev/null || true)
if [ "$tests" -eq 1 ]; then want="$sum test"; extras="[test]"; what="lab_runner and its test dependencies"
else want="$sum lab"; extras=""; what="lab_runner"; fi
if [ -x "$venv/bin/python" ] && { [ "$installed" = "$want" ] || [ "$installed" = "$sum test" ]; }; then
    say "ok: Python venv .venv is up to date"
else
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt_install python3-venv
    fi
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "python3 -m venv failed"
    act "installing $what into .venv"
    # In the background: it needs the network, and the base image (step 3) the disk and the CPU.
    ( "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$here$extras" \
        && echo "$want" >"$stamp" ) &
    pip_pid=$!
fi

# 3. The base image of every Dockerfile in images/ (build argument BASE_IMAGE).
if docker image inspect "$base_image" >/dev/null 2>&1; then
    say "ok: base image $base_image is present"
elif docker pull -q "$base_image" >/dev/null 2>&1; then
    act "pulled base image $base_image"
else
    # mmdebstrap, not debootstrap: apt's parallel downloads and one dpkg run, half the time and
    # CPU (docs/benchmarks.md); its merged-usr hook gives the packages of debootstrap's minbase.
    say "no registry gives $base_image: building it with mmdebstrap from $mirror"
    [[ $base_image == debian:bookworm* ]] || die "only debian:bookworm* can be built locally; pull $base_image or unset BASE_IMAGE"
    have mmdebstrap || apt_install mmdebstrap
    is_root || die "mmdebstrap needs root: run 'sudo $0'"
    root=$(mktemp -d /tmp/socketlab-rootfs.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    mmdebstrap --variant=minbase --quiet --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        bookworm "$root" "$mirror" >"$root.log" 2>&1 || die "mmdebstrap failed; see $root.log"
    # Like the official image: updates and security in apt's sources, no package lists or .debs.
    rm -f "$root"/etc/apt/sources.list
    cat >"$root"/etc/apt/sources.list.d/debian.sources <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root.log"
    tar -C "$root" -c . | docker import \
        --change 'CMD ["bash"]' --change 'LABEL org.socketlab.origin=mmdebstrap' \
        - "$base_image" >/dev/null || die "docker import failed"
    act "built base image $base_image locally with mmdebstrap"
fi
if [ -n "${pip_pid:-}" ]; then
    wait "$pip_pid" || die "pip install failed"
fi

# 5. Chromium, for the browser tests of the exchange page (tests/integration/test_page.py).
if [ "$tests" -eq 0 ]; then
    :   # the lab needs no browser: the tests' own command (--test) installs it
elif have chromium || have chromium-browser; then
    say "ok: $(chromium --version 2>/dev/null || chromium-browser --version 2>/dev/null | head -n 1)"
elif have apt-get && is_root; then
    apt_install chromium
elif [ "${CI:-}" = "true" ]; then
    die "CI needs Chromium for the page's browser tests: install Debian's chromium, or run me as root"
else
    say "skipped: no Chromium (the page's browser tests will skip; as root on Debian I install it)"
fi

if [ "$did" -eq 0 ]; then
    say "nothing to do: the machine is ready"
else
    say "done: the machine is ready ($did step(s) changed something)"
fi
