#!/usr/bin/env bash
# The README's first command on a fresh checkout, timed part by part, with nothing of the lab
# cached: a clone of BRANCH, a base image of its own (so mmdebstrap makes it and no build cache
# matches), images and a Compose project of its own (ports Docker picks), no pip cache. All of
# it is removed afterwards. Not paid here: dockerd's start, installing mmdebstrap, apt's lists.
#
#   bench/first_command.sh [REPO] [BRANCH] [TAG]     (as root, where Docker runs)
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)} branch=${2:-$(git -C "$src" branch --show-current)} tag=${3:-fresh$$}
dir=$(mktemp -d "/tmp/socketlab-first-command.XXXXXX")
git clone -q -b "$branch" "$src" "$dir" && cd "$dir" || exit 2
export BASE_IMAGE=debian:bookworm-$tag SOCKETLAB_IMAGES=$tag COMPOSE_PROJECT_NAME=$tag FLASK_PORT=0 CHAT_PORT=0 PIP_NO_CACHE_DIR=1
echo "load at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
./bootstrap.sh >bootstrap.out 2>&1; rc1=$?
t1=$(date +%s.%N)
docker compose up -d --build --wait >up.out 2>&1; rc2=$?
t2=$(date +%s.%N)
.venv/bin/python -m lab_runner lab3 >lab3.out 2>&1; rc3=$?   # 1: the starter fails step 2, as shipped
t3=$(date +%s.%N)
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "import sys; t = [float(x) for x in sys.argv[1:]]
print(f'bootstrap {t[1]-t[0]:.1f} s, up --build --wait {t[2]-t[1]:.1f} s, lab3 {t[3]-t[2]:.1f} s, total {t[3]-t[0]:.1f} s')" \
    "$t0" "$t1" "$t2" "$t3"
echo "exit codes: bootstrap $rc1, up $rc2, lab3 $rc3"
# Twice: a spare sandbox that lab3's run started after its verdict may still hold the network.
docker compose down -v >/dev/null 2>&1; sleep 5; docker compose down -v --remove-orphans >/dev/null 2>&1
docker rmi -f "$tag-rsyslog" "$tag-flask" "$tag-chat" "$tag-workbench" "$BASE_IMAGE" >/dev/null 2>&1
rm -rf "$dir"
