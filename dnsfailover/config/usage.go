package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
)

// Var describes one environment variable, read from the Config struct tags
// so that --help, README.md and the loader cannot disagree.
type Var struct {
	Name    string // e.g. SWITCHYARD_RECORD
	Alt     string // the unprefixed name also read when Name is unset (CLOUDFLARE_API_TOKEN, PORT), else ""
	Default string // empty when there is none
	Desc    string
	Secret  bool // the value is a Secret and is never printed
	// Parts: the value is a list kind:value,kind:value (SWITCHYARD_NOTIFY)
	// in which each value, not only the whole, may be a secret reference.
	Parts bool
}

var secretType = reflect.TypeFor[Secret]()

// Usage returns every variable in the order of the Config fields.
func Usage() []Var {
	t := reflect.TypeFor[Config]()
	vars := make([]Var, t.NumField())
	for i := range vars {
		vars[i] = varOf(t.Field(i))
	}
	return vars
}

// varOf names a field the way envconfig does for a field with an
// `envconfig` tag: PREFIX_TAG, with the bare tag as a fallback.
func varOf(f reflect.StructField) Var {
	alt := strings.ToUpper(f.Tag.Get("envconfig"))
	if alt == "" {
		alt = strings.ToUpper(f.Name)
	}
	if f.Tag.Get("unprefixed") != "true" {
		return Var{Name: Prefix + "_" + alt, Default: f.Tag.Get("default"), Desc: f.Tag.Get("desc"), Secret: f.Type == secretType,
			Parts: f.Tag.Get("parts") == "true"}
	}
	return Var{
		Name:    Prefix + "_" + alt,
		Alt:     alt,
		Default: f.Tag.Get("default"),
		Desc:    f.Tag.Get("desc"),
		Secret:  f.Type == secretType,
	}
}

// describe returns the desc of the variable called name, for messages
// that say what a missing variable is for.
func describe(name string) string {
	for _, v := range Usage() {
		if v.Name == name {
			return v.Desc
		}
	}
	return ""
}

const usageNote = "CLOUDFLARE_API_TOKEN and PORT may also be given without the " + Prefix + "_ prefix; the prefixed name wins."

// WriteUsageText writes the variables as aligned columns, for --help.
func WriteUsageText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tDESCRIPTION")
	for _, v := range Usage() {
		def := v.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, def, v.descText())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", usageNote)
	return err
}

// WriteUsageMarkdown writes the variables as a Markdown table, for README.md.
func WriteUsageMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Variable | Default | Description |\n| --- | --- | --- |\n")
	for _, v := range Usage() {
		def := ""
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, def, markdownCell(v.descText()))
	}
	fmt.Fprintf(&b, "\n%s\n", usageNote)
	_, err := io.WriteString(w, b.String())
	return err
}

func (v Var) descText() string {
	if v.Secret {
		return v.Desc + "; secret: never logged"
	}
	return v.Desc
}

// markdownCell escapes what would end a table cell or start markup.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
