package main

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Version is the provider version this binary stands in for.
const Version = "5.14.0"

// standInNotice is shown as a warning whenever OpenTofu configures the provider (plan), so no
// output produced with this binary can be mistaken for one produced by the real provider.
const standInNotice = "stand-in for terraform-provider-cloudflare " + Version +
	" built from tools/cloudflare-provider-standin: schema only; it contacts no API and cannot apply, refresh or import."

type standInProvider struct{}

func newProvider() provider.Provider { return &standInProvider{} }

func (p *standInProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudflare"
	resp.Version = Version + "-standin"
}

// Schema: attributes, types and validators of v5.14.0:internal/provider.go (ProviderSchema) with the
// key names of v5.14.0:internal/consts/consts.go. 5.14.0 marks none of them sensitive and has no
// provider-level ConfigValidators (ConfigValidators returns an empty list).
func (p *standInProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"email": schema.StringAttribute{
				Optional:    true,
				Description: "A registered Cloudflare email address (CLOUDFLARE_EMAIL). Required when using api_key.",
			},
			"api_key": schema.StringAttribute{
				Optional:    true,
				Description: "Legacy global API key (CLOUDFLARE_API_KEY).",
				Validators: []validator.String{
					// Unanchored, as in 5.14.0: any value containing such a run passes.
					stringvalidator.RegexMatches(regexp.MustCompile(`[0-9a-f]{37}`),
						"API key must be 37 characters long and only contain characters 0-9 and a-f (all lowercased)"),
					stringvalidator.AlsoRequires(path.MatchRoot("email")),
				},
			},
			"api_token": schema.StringAttribute{
				Optional:    true,
				Description: "API token (CLOUDFLARE_API_TOKEN).",
				Validators: []validator.String{
					stringvalidator.RegexMatches(regexp.MustCompile(`[A-Za-z0-9-_]{40}`),
						"API tokens must be 40 characters long and only contain characters a-z, A-Z, 0-9, hyphens and underscores"),
				},
			},
			"api_user_service_key": schema.StringAttribute{
				Optional:    true,
				Description: "Origin CA key (CLOUDFLARE_API_USER_SERVICE_KEY).",
			},
			"user_agent_operator_suffix": schema.StringAttribute{
				Optional:    true,
				Description: "Appended to the HTTP User-Agent (CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX).",
			},
			"base_url": schema.StringAttribute{
				Optional:    true,
				Description: "Overrides the API base URL (CLOUDFLARE_BASE_URL).",
			},
		},
	}
}

type providerModel struct {
	APIKey                  types.String `tfsdk:"api_key"`
	APIUserServiceKey       types.String `tfsdk:"api_user_service_key"`
	Email                   types.String `tfsdk:"email"`
	APIToken                types.String `tfsdk:"api_token"`
	UserAgentOperatorSuffix types.String `tfsdk:"user_agent_operator_suffix"`
	BaseURL                 types.String `tfsdk:"base_url"`
}

// Configure: 5.14.0 only decodes the configuration (falling back to CLOUDFLARE_* variables) and
// builds an API client without a request; missing credentials are not an error at this point.
// The stand-in decodes the same way, builds nothing and says what it is.
func (p *standInProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	resp.Diagnostics.AddWarning("stand-in provider", standInNotice)
}

func (p *standInProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newDNSRecordResource}
}

// DataSources: none. 5.14.0 has hundreds; this project reads none of them.
func (p *standInProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
