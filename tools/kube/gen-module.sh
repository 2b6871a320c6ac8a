#!/usr/bin/env bash
# gen-module.sh VERSION: (re)write tools/kube/apiserver/{go.mod,go.sum,main.go}, the Go module
# that builds kube-apiserver VERSION and the etcd that Kubernetes version pins, from the Go
# module proxy only (recipe: every "=> ./staging/..." replace of k8s.io/kubernetes's own go.mod
# becomes "=> M v0.<minor>.<patch>"; etcd is added as a Go 1.24+ `tool`). Run it only to move
# to another Kubernetes version; build.sh builds from the checked-in files.
set -euo pipefail
V=${1:?usage: gen-module.sh VERSION (e.g. 1.35.4)}
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
mod="${here}/apiserver"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:-} -mod=mod"
mkdir -p "${mod}"
cd "${mod}"
go mod download -json "k8s.io/kubernetes@v${V}" >/dev/null
kmod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v${V}.mod"
gover=$(awk '$1=="go"{print $2; exit}' "${kmod}")
etcdver=$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "${kmod}")
rm -f go.mod go.sum
{
    echo "module authmap/kube-apiserver"
    echo
    echo "go ${gover}"
    echo
    echo "require k8s.io/kubernetes v${V}"
    echo
    echo "replace ("
    awk '$2=="=>" && $3 ~ /^\.\/staging\// {print $1}' "${kmod}" |
        while read -r m; do printf '\t%s => %s v0.%s\n' "${m}" "${m}" "${V#1.}"; done
    echo ")"
} >go.mod
cat >main.go <<'GO'
// Command kube-apiserver: the upstream kube-apiserver, built by authmap's test launcher.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
go mod tidy
go get -tool "go.etcd.io/etcd/server/v3@${etcdver}"
echo "${V}" >"${here}/VERSION"
echo "gen-module: kubernetes v${V}, etcd ${etcdver} in ${mod}" >&2
