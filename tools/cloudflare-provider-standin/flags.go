package main

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// data.flags is a dynamic attribute in 5.14.0 (schema.go: DynamicAttribute with
// customvalidator.AllowedSubtypes(Float64, String) and customfield.NormalizeDynamicPlanModifier;
// v5.14.0:internal/customvalidator/dynamicvalidator.go, v5.14.0:internal/customfield/dynamic.go).
// Facts kept: a configured value must be a number or a string; a planned value equal to the prior
// one (numbers by numeric value) plans as the prior value; maps and sets are refused.

type numberOrString struct{}

func (numberOrString) Description(context.Context) string {
	return "The following types are allowed: basetypes.Float64Type, basetypes.StringType."
}
func (v numberOrString) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v numberOrString) ValidateDynamic(ctx context.Context, req validator.DynamicRequest, resp *validator.DynamicResponse) {
	d := req.ConfigValue
	if d.IsNull() || d.IsUnknown() || d.IsUnderlyingValueNull() || d.IsUnderlyingValueUnknown() {
		return
	}
	switch d.UnderlyingValue().(type) {
	case basetypes.NumberValue, basetypes.Float64Value, basetypes.Int64Value, basetypes.StringValue:
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Value is not one of the allowed types",
		fmt.Sprintf("%s Received: %T", v.Description(ctx), d.UnderlyingValue().Type(ctx)))
}

type keepEquivalentFlags struct{}

func (keepEquivalentFlags) Description(context.Context) string         { return "" }
func (keepEquivalentFlags) MarkdownDescription(context.Context) string { return "" }

func (keepEquivalentFlags) PlanModifyDynamic(_ context.Context, req planmodifier.DynamicRequest, resp *planmodifier.DynamicResponse) {
	if !req.PlanValue.IsNull() && !req.PlanValue.IsUnknown() {
		switch req.PlanValue.UnderlyingValue().(type) {
		case basetypes.MapValue:
			resp.Diagnostics.AddError("invalid dynamic type", "due to Terraform limitations map types are not currently supported in dynamic values, you can work around this using `jsonencode(jsondecode(...))`")
			return
		case basetypes.SetValue:
			resp.Diagnostics.AddError("invalid dynamic type", "due to Terraform limitations set types are not currently supported in dynamic values, you can work around this using `tolist(...)`")
			return
		}
	}
	if flagsEquivalent(req.PlanValue, req.StateValue) {
		resp.PlanValue = req.StateValue
	}
}

// flagsEquivalent: equal, both null, both unknown, or the same number.
func flagsEquivalent(plan, state basetypes.DynamicValue) bool {
	if plan.Equal(state) || (plan.IsNull() && state.IsNull()) || (plan.IsUnknown() && state.IsUnknown()) {
		return true
	}
	if plan.IsNull() || plan.IsUnknown() || state.IsNull() || state.IsUnknown() {
		return false
	}
	l, lok := number(plan.UnderlyingValue())
	r, rok := number(state.UnderlyingValue())
	return lok && rok && l.Cmp(r) == 0
}

func number(v attr.Value) (*big.Float, bool) {
	switch n := v.(type) {
	case basetypes.NumberValue:
		if n.IsNull() || n.IsUnknown() {
			return nil, false
		}
		return n.ValueBigFloat(), true
	case basetypes.Float64Value:
		if n.IsNull() || n.IsUnknown() {
			return nil, false
		}
		return big.NewFloat(n.ValueFloat64()), true
	case basetypes.Int64Value:
		if n.IsNull() || n.IsUnknown() {
			return nil, false
		}
		return new(big.Float).SetInt64(n.ValueInt64()), true
	}
	return nil, false
}
