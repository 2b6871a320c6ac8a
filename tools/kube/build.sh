#!/usr/bin/env bash
# build.sh: build kube-apiserver + etcd (tools/kube/apiserver, from the Go module proxy) and
# extract the CRDs the tests install (tools/kube/crds.py), once, into a cache outside the clone:
#   ${AUTHMAP_CACHE:-$HOME/.cache/authmap}/kube/<version>/{kube-apiserver,etcd,crds/*.yaml}
# Nothing is rebuilt while the binaries exist and were built from the same inputs (a stamp holds
# the SHA-256 of go.mod, go.sum, main.go, crds.py). The cache directory is the last line printed
# on stdout; build chatter goes to stderr. A cold build takes about 12 minutes on 2 cores (warm
# Go caches: seconds). Needs Go >= 1.25 and python3 with PyYAML ($PYTHON overrides).
set -euo pipefail
die() { printf 'kube build: error: %s\n' "$*" >&2; exit 1; }

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
src="${here}/apiserver"
version="$(tr -d '[:space:]' <"${here}/VERSION")"
[[ -n "${version}" ]] || die "empty ${here}/VERSION"
cache_root="${AUTHMAP_CACHE:-${HOME:?HOME is not set; set AUTHMAP_CACHE}/.cache/authmap}"
out="${cache_root}/kube/${version}"
stamp_file="${out}/.inputs"
python="${PYTHON:-python3}"

stamp="$(cd -- "${here}" && cat VERSION apiserver/go.mod apiserver/go.sum apiserver/main.go crds.py | sha256sum | cut -c1-16)"
if [[ -x "${out}/kube-apiserver" && -x "${out}/etcd" && -f "${out}/crds/kubevirt-vm.yaml" &&
      "$(cat "${stamp_file}" 2>/dev/null)" == "${stamp}" ]]; then
    printf '%s\n' "${out}"
    exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is not on PATH (install Go >= 1.25, e.g. make system)"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
mkdir -p -- "${out}"
exec 9>"${out}/.lock"
flock 9   # concurrent runs (pytest workers, make) build once
if [[ -x "${out}/kube-apiserver" && -x "${out}/etcd" && -f "${out}/crds/kubevirt-vm.yaml" &&
      "$(cat "${stamp_file}" 2>/dev/null)" == "${stamp}" ]]; then
    printf '%s\n' "${out}"
    exit 0
fi
minor="$(echo "${version}" | cut -d. -f2)"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v${version}"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=v${version}"
printf 'kube build: kube-apiserver v%s and etcd into %s (cold: ~12 min)\n' "${version}" "${out}" >&2
(
    cd -- "${src}"
    go build -mod=readonly -trimpath -ldflags "${ldflags}" -o "${out}/.kube-apiserver.tmp" .
    go build -mod=readonly -trimpath -ldflags '-s -w' -o "${out}/.etcd.tmp" go.etcd.io/etcd/server/v3
) >&2 || die "go build failed in ${src}"
mv -f -- "${out}/.kube-apiserver.tmp" "${out}/kube-apiserver"
mv -f -- "${out}/.etcd.tmp" "${out}/etcd"
"${python}" "${here}/crds.py" "${out}/crds" >&2 || die "CRD extraction failed (tools/kube/crds.py)"
printf '%s\n' "${stamp}" >"${stamp_file}"
"${out}/kube-apiserver" --version >&2
printf '%s\n' "${out}"
