package main

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The plan adjustments of 5.14.0's DNSRecordResource.ModifyPlan
// (v5.14.0:internal/services/dns_record/resource.go), re-stated rule by rule. They run after the
// attribute plan modifiers (RequiresReplace, UseStateForUnknown, defaults), so they never change
// what is replaced; they decide which computed attributes show as "known after apply" and keep a
// short or case-different name/CNAME target from showing as a change against an FQDN in state.
// One difference: 5.14.0 decodes `data` into a struct pointer and so fails on a wholly unknown
// `data` object; the stand-in plans on (the project's `data` is always a literal).

type recordModel struct {
	ID                types.String  `tfsdk:"id"`
	ZoneID            types.String  `tfsdk:"zone_id"`
	Name              types.String  `tfsdk:"name"`
	Type              types.String  `tfsdk:"type"`
	Comment           types.String  `tfsdk:"comment"`
	Content           types.String  `tfsdk:"content"`
	Priority          types.Float64 `tfsdk:"priority"`
	Data              types.Object  `tfsdk:"data"`
	Proxied           types.Bool    `tfsdk:"proxied"`
	TTL               types.Float64 `tfsdk:"ttl"`
	Tags              types.Set     `tfsdk:"tags"`
	Settings          types.Object  `tfsdk:"settings"`
	CommentModifiedOn types.String  `tfsdk:"comment_modified_on"`
	CreatedOn         types.String  `tfsdk:"created_on"`
	ModifiedOn        types.String  `tfsdk:"modified_on"`
	Proxiable         types.Bool    `tfsdk:"proxiable"`
	TagsModifiedOn    types.String  `tfsdk:"tags_modified_on"`
	Meta              types.String  `tfsdk:"meta"`
}

func (r *dnsRecordResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var plan recordModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *recordModel
	if !req.State.Raw.IsNull() {
		state = &recordModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if state != nil {
		keepStateName(&plan, state)
		keepStateComputed(&plan, state, recordChanged(&plan, state))
	}
	nullTimestampsOfEmpty(&plan, state)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// keepStateName: the API stores FQDNs; a configured "@" or a leading-labels prefix of the stored
// name ("www" for "www.example.com", trailing dots ignored) plans as the stored name.
func keepStateName(plan, state *recordModel) {
	if plan.Name.IsUnknown() || state.Name.IsNull() {
		return
	}
	p, s := plan.Name.ValueString(), state.Name.ValueString()
	if p == "@" {
		if s != "@" && strings.Contains(s, ".") {
			plan.Name = state.Name
		}
		return
	}
	pl := strings.Split(strings.TrimSuffix(p, "."), ".")
	sl := strings.Split(strings.TrimSuffix(s, "."), ".")
	if len(pl) >= len(sl) {
		return
	}
	for i := range pl {
		if pl[i] != sl[i] {
			return
		}
	}
	plan.Name = state.Name
}

// recordChanged: whether anything the user configures differs from state, as 5.14.0 judges it
// (a CNAME target case-insensitively; content not at all for data records; empty and null tags
// alike; an all-null settings object like no settings; a configured-only settings object not at all).
// It also keeps a case-only different CNAME target at the state value.
func recordChanged(plan, state *recordModel) bool {
	contentChanged := false
	if plan.Data.IsNull() {
		if !plan.Type.IsNull() && plan.Type.ValueString() == "CNAME" && !plan.Content.IsNull() && !state.Content.IsNull() {
			contentChanged = !strings.EqualFold(plan.Content.ValueString(), state.Content.ValueString())
			if !contentChanged && plan.Content.ValueString() != state.Content.ValueString() {
				plan.Content = state.Content
			}
		} else {
			contentChanged = !plan.Content.Equal(state.Content)
		}
	}

	stateTagsEmpty := state.Tags.IsNull() || (!state.Tags.IsUnknown() && len(state.Tags.Elements()) == 0)
	var tagsChanged bool
	switch {
	case plan.Tags.IsUnknown():
		tagsChanged = !stateTagsEmpty
	case (plan.Tags.IsNull() || len(plan.Tags.Elements()) == 0) && stateTagsEmpty:
		tagsChanged = false
	default:
		tagsChanged = !plan.Tags.Equal(state.Tags)
	}

	changed := !plan.Name.Equal(state.Name) || !plan.Type.Equal(state.Type) || contentChanged ||
		!plan.TTL.Equal(state.TTL) || !plan.Proxied.Equal(state.Proxied) || !plan.Priority.Equal(state.Priority) ||
		!plan.Comment.Equal(state.Comment) || tagsChanged
	if plan.Data.IsNull() != state.Data.IsNull() || (!plan.Data.IsNull() && !dataEqual(plan.Data, state.Data)) {
		changed = true
	}

	planSettingsEmpty := plan.Settings.IsNull() || plan.Settings.IsUnknown() || settingsAllUnset(plan.Settings)
	stateSettingsEmpty := state.Settings.IsNull() || state.Settings.IsUnknown()
	switch {
	case !planSettingsEmpty && !stateSettingsEmpty:
		changed = changed || !plan.Settings.Equal(state.Settings)
	case !stateSettingsEmpty && planSettingsEmpty:
		changed = changed || settingsAnyTrue(state.Settings)
	}
	return changed
}

// dataEqual compares two data objects, flags by numeric value (5.14.0: custom.go, Equal).
func dataEqual(a, b types.Object) bool {
	aa, ba := a.Attributes(), b.Attributes()
	for name, av := range aa {
		bv := ba[name]
		if name == "flags" {
			ad, aok := av.(types.Dynamic)
			bd, bok := bv.(types.Dynamic)
			if aok && bok && flagsEquivalent(ad, bd) {
				continue
			}
		}
		if bv == nil || !av.Equal(bv) {
			return false
		}
	}
	return len(aa) == len(ba)
}

func settingsValues(o types.Object) []attr.Value {
	a := o.Attributes()
	return []attr.Value{a["ipv4_only"], a["ipv6_only"], a["flatten_cname"]}
}

// settingsAllUnset: a known settings object whose three fields are all null or unknown.
func settingsAllUnset(o types.Object) bool {
	if o.IsNull() || o.IsUnknown() {
		return false
	}
	for _, v := range settingsValues(o) {
		if v != nil && !v.IsNull() && !v.IsUnknown() {
			return false
		}
	}
	return true
}

// settingsAnyTrue: a known settings object with at least one field known to be true.
func settingsAnyTrue(o types.Object) bool {
	if o.IsNull() || o.IsUnknown() {
		return false
	}
	for _, v := range settingsValues(o) {
		if b, ok := v.(types.Bool); ok && !b.IsNull() && !b.IsUnknown() && b.ValueBool() {
			return true
		}
	}
	return false
}

// keepStateComputed: computed attributes the API would not change plan as their state values.
func keepStateComputed(plan, state *recordModel, changed bool) {
	if plan.CreatedOn.IsUnknown() {
		plan.CreatedOn = state.CreatedOn
	}
	if plan.ModifiedOn.IsUnknown() && !changed {
		plan.ModifiedOn = state.ModifiedOn
	}
	if plan.Proxiable.IsUnknown() {
		plan.Proxiable = state.Proxiable
	}
	if plan.Meta.IsUnknown() {
		plan.Meta = state.Meta
	}
	if plan.Content.IsUnknown() && !plan.Data.IsNull() {
		plan.Content = state.Content
	}
	switch {
	case plan.Settings.IsUnknown() || plan.Settings.IsNull():
		plan.Settings = state.Settings
	case settingsAllUnset(plan.Settings):
		if state.Settings.IsNull() || state.Settings.IsUnknown() || !settingsAnyTrue(state.Settings) {
			plan.Settings = state.Settings
		}
	}
	if plan.Tags.IsUnknown() && (state.Tags.IsNull() || len(state.Tags.Elements()) == 0) {
		plan.Tags = state.Tags
	}
}

// nullTimestampsOfEmpty: no comment (tags) means no comment_modified_on (tags_modified_on); an
// unchanged comment (tags) keeps its timestamp from state.
func nullTimestampsOfEmpty(plan, state *recordModel) {
	commentEmpty := plan.Comment.IsNull() || (!plan.Comment.IsUnknown() && plan.Comment.ValueString() == "")
	if plan.CommentModifiedOn.IsUnknown() {
		if commentEmpty {
			plan.CommentModifiedOn = types.StringNull()
		} else if state != nil && plan.Comment.Equal(state.Comment) {
			plan.CommentModifiedOn = state.CommentModifiedOn
		}
	}
	tagsEmpty := plan.Tags.IsNull() || (!plan.Tags.IsUnknown() && len(plan.Tags.Elements()) == 0)
	if plan.TagsModifiedOn.IsUnknown() {
		if tagsEmpty {
			plan.TagsModifiedOn = types.StringNull()
		} else if state != nil && plan.Tags.Equal(state.Tags) {
			plan.TagsModifiedOn = state.TagsModifiedOn
		}
	}
}
