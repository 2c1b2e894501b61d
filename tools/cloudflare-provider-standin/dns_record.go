package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// cloudflare_dns_record as of v5.14.0:internal/services/dns_record/schema.go (ResourceSchema):
// the same attributes, types, required/optional/computed flags, defaults, validators and plan
// modifiers; schema version 0 (no Version set; migrations.go has no upgraders). Where 5.14.0 uses
// its own custom types (customfield set/object/normalized dynamic, timetypes.RFC3339,
// jsontypes.Normalized) the stand-in uses the framework's base type of the same wire type: those
// custom types only act on configured values of computed-only attributes (impossible) or at
// apply/read time (unreachable here); the one with a plan-time effect, data.flags, is re-stated in
// flags.go.

var _ resource.ResourceWithModifyPlan = (*dnsRecordResource)(nil)
var _ resource.ResourceWithImportState = (*dnsRecordResource)(nil)

type dnsRecordResource struct{}

func newDNSRecordResource() resource.Resource { return &dnsRecordResource{} }

func (r *dnsRecordResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dns_record"
}

// dnsRecordTypes: the record types 5.14.0 accepts (OneOfCaseInsensitive on "type").
var dnsRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "OPENPGPKEY", "PTR", "TXT", "CAA", "CERT",
	"DNSKEY", "DS", "HTTPS", "LOC", "NAPTR", "SMIMEA", "SRV", "SSHFP", "SVCB", "TLSA", "URI"}

func optionalFloat(min, max float64) schema.Float64Attribute {
	return schema.Float64Attribute{Optional: true, Validators: []validator.Float64{float64validator.Between(min, max)}}
}

func optionalString() schema.StringAttribute { return schema.StringAttribute{Optional: true} }

func computedString() schema.StringAttribute { return schema.StringAttribute{Computed: true} }

func (r *dnsRecordResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Stand-in for cloudflare_dns_record of terraform-provider-cloudflare 5.14.0 (schema only).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"zone_id": schema.StringAttribute{
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"comment": optionalString(),
			"content": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("data"))},
			},
			"priority": optionalFloat(0, 65535),
			"type": schema.StringAttribute{
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOfCaseInsensitive(dnsRecordTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"data": schema.SingleNestedAttribute{
				Optional:   true,
				Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("content"))},
				Attributes: map[string]schema.Attribute{
					"flags": schema.DynamicAttribute{
						Optional:      true,
						Validators:    []validator.Dynamic{numberOrString{}},
						PlanModifiers: []planmodifier.Dynamic{keepEquivalentFlags{}},
					},
					"tag":         optionalString(),
					"value":       optionalString(),
					"algorithm":   optionalFloat(0, 255),
					"certificate": optionalString(),
					"key_tag":     optionalFloat(0, 65535),
					"type": schema.Float64Attribute{
						Optional:   true,
						Validators: []validator.Float64{float64validator.AtLeast(0)},
					},
					"protocol":       optionalFloat(0, 255),
					"public_key":     optionalString(),
					"digest":         optionalString(),
					"digest_type":    optionalFloat(0, 255),
					"priority":       optionalFloat(0, 65535),
					"target":         optionalString(),
					"altitude":       optionalFloat(-100000, 42849672.95),
					"lat_degrees":    optionalFloat(0, 90),
					"lat_direction":  schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOfCaseInsensitive("N", "S")}},
					"lat_minutes":    optionalFloat(0, 59),
					"lat_seconds":    optionalFloat(0, 59.999),
					"long_degrees":   optionalFloat(0, 180),
					"long_direction": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOfCaseInsensitive("E", "W")}},
					"long_minutes":   optionalFloat(0, 59),
					"long_seconds":   optionalFloat(0, 59.999),
					"precision_horz": optionalFloat(0, 90000000),
					"precision_vert": optionalFloat(0, 90000000),
					"size":           optionalFloat(0, 90000000),
					"order":          optionalFloat(0, 65535),
					"preference":     optionalFloat(0, 65535),
					"regex":          optionalString(),
					"replacement":    optionalString(),
					"service":        optionalString(),
					"matching_type":  optionalFloat(0, 255),
					"selector":       optionalFloat(0, 255),
					"usage":          optionalFloat(0, 255),
					"port":           optionalFloat(0, 65535),
					"weight":         optionalFloat(0, 65535),
					"fingerprint":    optionalString(),
				},
			},
			"proxied": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"ttl": schema.Float64Attribute{Required: true},
			"tags": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
			},
			"settings": schema.SingleNestedAttribute{
				Optional: true,
				Computed: true,
				Attributes: map[string]schema.Attribute{
					"ipv4_only":     schema.BoolAttribute{Optional: true, Computed: true},
					"ipv6_only":     schema.BoolAttribute{Optional: true, Computed: true},
					"flatten_cname": schema.BoolAttribute{Optional: true, Computed: true},
				},
			},
			"comment_modified_on": computedString(),
			"created_on":          computedString(),
			"modified_on":         computedString(),
			"proxiable":           schema.BoolAttribute{Computed: true},
			"tags_modified_on":    computedString(),
			"meta":                computedString(),
			"name":                schema.StringAttribute{Required: true},
		},
	}
}

// Everything below needs the Cloudflare API. With `plan -refresh=false` OpenTofu calls none of it.
const applyImpossible = "stand-in provider: apply is not possible"

func refuse(d interface{ AddError(string, string) }, what string) {
	d.AddError(applyImpossible, what+" of cloudflare_dns_record needs the Cloudflare API; "+standInNotice)
}

func (r *dnsRecordResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	refuse(&resp.Diagnostics, "create")
}

func (r *dnsRecordResource) Read(_ context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	refuse(&resp.Diagnostics, "read (refresh)")
}

func (r *dnsRecordResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	refuse(&resp.Diagnostics, "update")
}

func (r *dnsRecordResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	refuse(&resp.Diagnostics, "delete")
}

func (r *dnsRecordResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	refuse(&resp.Diagnostics, "import")
}
