// Command terraform-provider-riskbench is a minimal Terraform provider
// for the side-by-side create benchmark (../compare.sh): one resource,
// riskbench_integration, whose create, read, update and delete send the
// one request each that the Cloudflare provider sends for
// cloudflare_zero_trust_risk_scoring_integration (BENCHMARKS.md, "Side by
// side with Terraform"). The Cloudflare provider cannot be downloaded
// where this project is built; this one is built from the Go module proxy
// with the same plugin framework, so Terraform runs the same process
// model (core, a gRPC plugin, one request per resource at -parallelism).
// It does less than the real provider (no retries, a tiny schema), so
// Terraform's figures with it are, if anything, faster than with the real
// one.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &riskbench{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/riskctl/riskbench"})
	if err != nil {
		log.Fatal(err)
	}
}

type config struct {
	BaseURL   types.String `tfsdk:"base_url"`
	AccountID types.String `tfsdk:"account_id"`
	Token     types.String `tfsdk:"api_token"`
}

type client struct{ base, token string }

type riskbench struct{}

func (*riskbench) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "riskbench"
}

func (*riskbench) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"base_url":   pschema.StringAttribute{Required: true},
		"account_id": pschema.StringAttribute{Required: true},
		"api_token":  pschema.StringAttribute{Required: true, Sensitive: true},
	}}
}

func (*riskbench) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var c config
	resp.Diagnostics.Append(req.Config.Get(ctx, &c)...)
	cl := &client{
		base:  c.BaseURL.ValueString() + "/accounts/" + c.AccountID.ValueString() + "/zt_risk_scoring/integrations",
		token: c.Token.ValueString(),
	}
	resp.ResourceData = cl
}

func (*riskbench) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &integration{} }}
}

func (*riskbench) DataSources(context.Context) []func() datasource.DataSource { return nil }

type model struct {
	ID              types.String `tfsdk:"id"`
	ReferenceID     types.String `tfsdk:"reference_id"`
	TenantURL       types.String `tfsdk:"tenant_url"`
	IntegrationType types.String `tfsdk:"integration_type"`
}

type integration struct{ c *client }

func (*integration) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "riskbench_integration"
}

func (*integration) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"id": rschema.StringAttribute{Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"reference_id":     rschema.StringAttribute{Required: true},
		"tenant_url":       rschema.StringAttribute{Required: true},
		"integration_type": rschema.StringAttribute{Required: true},
	}}
}

func (r *integration) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if c, ok := req.ProviderData.(*client); ok {
		r.c = c
	}
}

// send sends one request and decodes the envelope's result into out.
func (r *integration) send(ctx context.Context, method, url string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d", method, url, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Result, out)
}

type wire struct {
	ID              string `json:"id,omitempty"`
	ReferenceID     string `json:"reference_id"`
	TenantURL       string `json:"tenant_url"`
	IntegrationType string `json:"integration_type"`
}

func toWire(m model) wire {
	return wire{ReferenceID: m.ReferenceID.ValueString(), TenantURL: m.TenantURL.ValueString(), IntegrationType: m.IntegrationType.ValueString()}
}

func (r *integration) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	var got wire
	if err := r.send(ctx, http.MethodPost, r.c.base, toWire(m), &got); err != nil {
		resp.Diagnostics.AddError("create", err.Error())
		return
	}
	m.ID = types.StringValue(got.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *integration) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	var got wire
	if err := r.send(ctx, http.MethodGet, r.c.base+"/"+m.ID.ValueString(), nil, &got); err != nil {
		resp.Diagnostics.AddError("read", err.Error())
		return
	}
	m.ReferenceID, m.TenantURL = types.StringValue(got.ReferenceID), types.StringValue(got.TenantURL)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *integration) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if err := r.send(ctx, http.MethodPut, r.c.base+"/"+m.ID.ValueString(), toWire(m), nil); err != nil {
		resp.Diagnostics.AddError("update", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *integration) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m model
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if err := r.send(ctx, http.MethodDelete, r.c.base+"/"+m.ID.ValueString(), nil, nil); err != nil {
		resp.Diagnostics.AddError("delete", err.Error())
	}
}
