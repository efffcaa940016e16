// Package lambdaform holds what every switchyard function needs to run as
// an AWS Lambda function and nothing else does: a JSON logger that stamps
// each line with the invocation's request id, resolution of secret
// references at cold start, telling event shapes apart, and serving a
// Lambda Function URL event through an ordinary http.Handler. The library
// in dnsfailover stays free of Lambda code; each function's main.go picks
// its form from AWS_LAMBDA_RUNTIME_API.
package lambdaform
