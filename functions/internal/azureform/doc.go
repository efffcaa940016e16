// Package azureform holds what a switchyard function needs to run as an
// Azure Functions custom handler and nothing else does: the JSON envelope
// the Functions host POSTs to /<function> for a non-HTTP trigger (a timer)
// and the answer it expects, serving that beside the HTTP requests the
// host proxies unchanged (enableProxyingHttpRequest), and refusing an app
// setting whose Key Vault reference the platform could not resolve.
//
// The protocol, as the host (Azure/azure-functions-host,
// DefaultHttpWorkerService) plays it:
//   - it starts the handler with FUNCTIONS_CUSTOMHANDLER_PORT set and
//     waits until GET / on that port gets any HTTP response;
//   - a timer invocation is POST /<function name> with
//     {"Data":{"<binding>":<TimerInfo>},"Metadata":{...}} and the headers
//     X-Azure-Functions-InvocationId and X-Azure-Functions-HostVersion;
//     a 2xx answer {"Outputs":{...},"Logs":[...],"ReturnValue":...}
//     completes it (Logs become the invocation's log lines), anything
//     else fails it;
//   - an HTTP-triggered function is proxied as the original request, at
//     its original path (with routePrefix "" in host.json: /observe,
//     /status), and the handler's response goes back to the caller as is.
//
// The library in dnsfailover stays free of Azure code; functions/probe
// picks this form from FUNCTIONS_CUSTOMHANDLER_PORT.
package azureform
