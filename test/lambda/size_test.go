package lambda

import (
	"os/exec"
	"strings"
	"testing"
)

// heavyPackages must stay out of the probe's Lambda bootstrap. Each once
// made it megabytes larger (dnsfailover/dns/README.md, "Binary size"):
// html/template's method calls by name make the linker keep every exported
// method of every AWS SDK client, and the S3 client is about 3 MB of code
// for the one signed GET an s3:// check makes.
var heavyPackages = []string{"html/template", "github.com/aws/aws-sdk-go-v2/service/s3"}

func TestBootstrapLeavesOutHeavyPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "../../functions/probe").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, heavy := range heavyPackages {
		for _, d := range deps {
			if d == heavy {
				t.Errorf("functions/probe links %s again; see dnsfailover/dns/README.md, \"Binary size\"", heavy)
			}
		}
	}
}
