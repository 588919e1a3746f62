package lang

import "github.com/zclconf/go-cty/cty"

var nullValue = cty.NullVal(cty.DynamicPseudoType)
