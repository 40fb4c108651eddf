#!/usr/bin/env bash
# Side-by-side creates: riskctl apply and Terraform, against one emulator
# at 50 ms per request, on this machine, in turn (riskctl, Terraform,
# riskctl, ...), each run into a fresh empty account.
#
#   bench/terraform/compare.sh [RUNS] [N ...]     # default: 5 runs of 1 10 100
#   PARALLELISM=50 bench/terraform/compare.sh      # riskctl at --parallelism 50 (Terraform stays at 10)
#
# Needs terraform (1.11.4 was measured) on PATH. The provider is built
# from provider/ (its modules come through the Go module proxy) and used
# through a dev override, so Terraform downloads nothing. Prints one
# row per N: the median wall time of each tool and riskctl's speed-up.
set -euo pipefail
runs=${1:-5}
shift || true
sizes=("${@:-1 10 100}")
read -r -a sizes <<<"${sizes[*]}"

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$emu" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
[ -z "${KEEP:-}" ] || echo "keeping $work" >&2

go build -o "$work/riskctl" "$here/../.."
# A fresh emulator for every run: the emulator counts requests against
# Cloudflare's 1200 per 5 minutes and says so in its Ratelimit headers,
# which riskctl honours (it spreads its requests once the budget runs low)
# and Terraform ignores; one emulator for all runs would measure riskctl
# waiting for the budget Terraform's runs used.
emu=
start_emulator() {
  rm -f "$work/ready"
  "$work/riskctl" emulator serve --addr 127.0.0.1:0 --latency 50ms --token tok \
    --ready-file "$work/ready" >>"$work/emulator.log" 2>&1 &
  emu=$!
  for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
  base=$(cat "$work/ready")
  export CLOUDFLARE_BASE_URL=$base
}
stop_emulator() { kill "$emu"; wait "$emu" 2>/dev/null || true; }

cp "$here/main.tf" "$work/"
mkdir "$work/plugins"
(cd "$here/provider" && go build -o "$work/plugins/terraform-provider-riskbench" .)
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides { "riskctl/riskbench" = "$work/plugins" }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

export CLOUDFLARE_API_TOKEN=tok
n_run=0
new_account() { n_run=$((n_run + 1)); printf -v acct '%08x%024x' "$$" "$n_run"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for n in "${sizes[@]}"; do
  : >"$work/r.txt"; : >"$work/t.txt"
  for r in $(seq "$runs"); do
    new_account
    {
      echo "version: 1"
      echo "account_id: \"$acct\""
      echo "integrations:"
      for i in $(seq 0 $((n - 1))); do
        echo "  - {reference_id: run-$i, integration_type: Okta, tenant_url: \"https://t$i.okta.com\"}"
      done
    } >"$work/spec.yaml"
    # A random pause first: the duplicate check waits for the server's
    # second to turn, so runs started in step with the clock would all
    # meet it at the same point of the second.
    sleep "0.$((RANDOM % 1000))"
    start_emulator
    t0=$(ms)
    (cd "$work" && ./riskctl apply -f spec.yaml --auto-approve --parallelism "${PARALLELISM:-10}" >/dev/null 2>>riskctl.log && echo "--- done $n" >>riskctl.log)
    echo $(( $(ms) - t0 )) >>"$work/r.txt"
    stop_emulator

    new_account
    rm -f "$work"/terraform.tfstate*
    start_emulator
    t0=$(ms)
    (cd "$work" && terraform apply -auto-approve -input=false -no-color -parallelism=10 \
      -var "base=$base" -var "n=$n" -var "account=$acct" >/dev/null 2>>terraform.log)
    echo $(( $(ms) - t0 )) >>"$work/t.txt"
    stop_emulator
  done
  r=$(median <"$work/r.txt"); t=$(median <"$work/t.txt")
  printf 'creates=%-4d riskctl=%5dms terraform=%5dms speed-up=%s×  (medians of %d; riskctl %s; terraform %s)\n' \
    "$n" "$r" "$t" "$(awk -v r="$r" -v t="$t" 'BEGIN {printf "%.2f", t / r}')" "$runs" \
    "$(tr '\n' ' ' <"$work/r.txt")" "$(tr '\n' ' ' <"$work/t.txt")"
done
