#!/usr/bin/env bash
# ensure-vcsim.sh: build authmap's vcsim launcher (tools/vcsim) once and cache it.
#
# The binary goes to a cache outside the repository:
#   ${AUTHMAP_CACHE:-$HOME/.cache/authmap}/bin/authmap-vcsim-<hash>
# where <hash> is a short SHA-256 of tools/vcsim/{go.mod,go.sum,main.go}.
# If that file already exists nothing is built. Either way the binary's path is
# the last line printed on stdout (build chatter goes to stderr).
#
# Needs Go >= 1.25 on PATH. Go's own caches (GOMODCACHE, GOCACHE) keep their
# defaults, which are outside the repository. Works from any directory.
set -euo pipefail

die() {
    printf 'ensure-vcsim: error: %s\n' "$*" >&2
    exit 1
}

repo_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
src_dir="${repo_root}/tools/vcsim"
inputs=(go.mod go.sum main.go)

for f in "${inputs[@]}"; do
    [[ -f "${src_dir}/${f}" ]] || die "missing ${src_dir}/${f}"
done

if command -v sha256sum >/dev/null 2>&1; then
    hash_cmd=(sha256sum)
elif command -v shasum >/dev/null 2>&1; then
    hash_cmd=(shasum -a 256)
else
    die "need sha256sum (coreutils) or shasum (perl) to hash the launcher sources"
fi

# Hash each input's name and contents, in a fixed order.
digest="$(
    cd -- "${src_dir}"
    for f in "${inputs[@]}"; do
        printf '%s\n' "${f}"
        "${hash_cmd[@]}" <"${f}"
    done | "${hash_cmd[@]}"
)"
short_hash="${digest:0:12}"

cache_root="${AUTHMAP_CACHE:-${HOME:?HOME is not set; set AUTHMAP_CACHE}/.cache/authmap}"
bin_dir="${cache_root}/bin"
binary="${bin_dir}/authmap-vcsim-${short_hash}"

if [[ -x "${binary}" ]]; then
    printf '%s\n' "${binary}"
    exit 0
fi

command -v go >/dev/null 2>&1 ||
    die "'go' was not found on PATH. Install Go >= 1.25 (https://go.dev/dl/ or your distribution's golang package) and retry."

# Never let 'go' fetch a different toolchain: use the installed one or fail.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
go_version="$(go env GOVERSION)" || die "'go env GOVERSION' failed; is the Go installation broken?"
if [[ "${go_version}" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 25)); then
    die "found ${go_version}, but govmomi needs Go >= 1.25. Install a newer Go (https://go.dev/dl/)."
fi

mkdir -p -- "${bin_dir}"
# Build to a temporary name in the same directory, then rename: concurrent runs
# never see a half-written binary.
tmp="$(mktemp "${bin_dir}/.authmap-vcsim-${short_hash}.XXXXXX")"
trap 'rm -f -- "${tmp}"' EXIT

printf 'ensure-vcsim: building %s with %s (first run may download modules)\n' \
    "${binary}" "${go_version}" >&2
(
    cd -- "${src_dir}"
    go build -mod=readonly -trimpath -buildvcs=false -ldflags='-s -w' -o "${tmp}" .
) || die "go build failed in ${src_dir}"

chmod 0755 "${tmp}"
mv -f -- "${tmp}" "${binary}"
trap - EXIT
printf '%s\n' "${binary}"
