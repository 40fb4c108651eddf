# Terraform's side of the side-by-side create benchmark (compare.sh): N
# integrations through the riskbench provider (provider/), which sends the
# one request per create the Cloudflare provider sends. BENCHMARKS.md,
# "Side by side with Terraform", says why this provider stands in for the
# Cloudflare one.
terraform {
  required_providers {
    riskbench = { source = "riskctl/riskbench" }
  }
}

variable "base" { type = string }
variable "account" { type = string }
variable "n" { type = number }

provider "riskbench" {
  base_url   = var.base
  account_id = var.account
  api_token  = "tok"
}

resource "riskbench_integration" "okta" {
  count            = var.n
  reference_id     = "run-${count.index}"
  integration_type = "Okta"
  tenant_url       = "https://t${count.index}.okta.com"
}
