package providers

import (
	"encoding/json"
	"fmt"
)

// FlexString decodes a JSON string, number or null into a string, taking
// a number's literal text so that amounts stay exact. Gateways send ids
// and amounts as numbers in one place and as strings in another.
type FlexString string

func (f *FlexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = FlexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number, got %s", b)
	}
	*f = FlexString(n.String())
	return nil
}
