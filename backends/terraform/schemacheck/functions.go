package schemacheck

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions are the Terraform built-ins generated configuration may call; any other call is reported
// as an unknown function, which keeps the generated Terraform to functions checked here.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"concat":     stdlib.ConcatFunc,
		"format":     stdlib.FormatFunc,
		"join":       stdlib.JoinFunc,
		"jsonencode": stdlib.JSONEncodeFunc,
		"length":     stdlib.LengthFunc,
		"lower":      stdlib.LowerFunc,
		"merge":      stdlib.MergeFunc,
		"tostring":   stdlib.MakeToFunc(cty.String),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"upper":      stdlib.UpperFunc,
		// File functions read the module directory, which the checker does not have: their results are
		// unknown strings, and the argument must still be a string.
		"file":    unknownString,
		"filemd5": unknownString,
	}
}

var unknownString = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.UnknownVal(cty.String), nil
	},
})
