package lambdaform

import "encoding/json"

// Shape is the kind of event an invocation carries.
type Shape string

const (
	FunctionURL Shape = "function_url" // an HTTP request through the function's URL
	Scheduled   Shape = "scheduled"    // an EventBridge schedule
	Unknown     Shape = "unknown"
)

// ShapeOf tells the event shapes apart by the members only each has: a
// Function URL request has requestContext.http, a scheduled EventBridge
// event has detail-type "Scheduled Event".
func ShapeOf(raw json.RawMessage) Shape {
	var probe struct {
		DetailType     string `json:"detail-type"`
		RequestContext struct {
			HTTP *struct {
				Method string `json:"method"`
			} `json:"http"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Unknown
	}
	switch {
	case probe.RequestContext.HTTP != nil && probe.RequestContext.HTTP.Method != "":
		return FunctionURL
	case probe.DetailType == "Scheduled Event":
		return Scheduled
	}
	return Unknown
}
