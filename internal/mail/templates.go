package mail

import (
	"bytes"
	"embed"
	"errors"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

//go:embed templates/*.txt templates/*.html
var builtin embed.FS

// School is who signs the notices (config mail.signature, mail.contact).
type School struct {
	Signature []string
	Contact   string
}

// Student is whom a notice is for.
type Student struct {
	ID, FirstName, LastName string
}

// View is what a template sees: .Student, .School, .D (the notice's
// data) and .Link (the payment link, once made).
type View struct {
	Kind    Kind
	Student Student
	School  School
	D       Data
	Link    string
}

// Rendered is a notice as the student reads it.
type Rendered struct {
	Subject, Text, HTML string
}

// Templates are the parsed templates of every kind: the built-in ones,
// each replaceable by a file of the same name in a folder
// (config mail.templates): <kind>.txt (defines "subject" and "body"),
// <kind>.html (the same, as HTML), _layout.txt and _layout.html (define
// "main", around "body").
type Templates struct {
	text map[Kind]*texttemplate.Template
	html map[Kind]*htmltemplate.Template
}

var funcs = map[string]any{
	"eur":  func(c money.Cents) string { return c.String() },
	"date": frenchDate,
	"fois": func(plan string) string { return strings.TrimSuffix(plan, "x") },
}

// frenchDate turns "2025-10-10" into "10/10/2025"; anything else is shown
// as it is.
func frenchDate(s string) string {
	d, err := clock.ParseDate(s)
	if err != nil {
		return s
	}
	return d.French()
}

// LoadTemplates parses the built-in templates, with the files of dir (""
// for none) in place of the built-in ones of the same name. A file of dir
// that replaces nothing, or that does not parse, is an error naming it.
func LoadTemplates(dir string) (*Templates, error) {
	files, err := templateFiles(dir)
	if err != nil {
		return nil, err
	}
	t := &Templates{text: map[Kind]*texttemplate.Template{}, html: map[Kind]*htmltemplate.Template{}}
	for _, k := range Kinds {
		tt := texttemplate.New(string(k)).Funcs(funcs).Option("missingkey=error")
		for _, name := range []string{"_layout.txt", string(k) + ".txt"} {
			if _, err := tt.New(name).Parse(files[name].body); err != nil {
				return nil, templateErr(files[name].from, err)
			}
		}
		ht := htmltemplate.New(string(k)).Funcs(funcs).Option("missingkey=error")
		for _, name := range []string{"_layout.html", string(k) + ".html"} {
			if _, err := ht.New(name).Parse(files[name].body); err != nil {
				return nil, templateErr(files[name].from, err)
			}
		}
		t.text[k], t.html[k] = tt, ht
	}
	return t, nil
}

type templateFile struct{ body, from string }

// templateFiles reads the built-in files, then dir's in their place.
func templateFiles(dir string) (map[string]templateFile, error) {
	files := map[string]templateFile{}
	entries, _ := fs.ReadDir(builtin, "templates")
	for _, e := range entries {
		b, err := builtin.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		files[e.Name()] = templateFile{string(b), "built-in " + e.Name()}
	}
	if dir == "" {
		return files, nil
	}
	own, err := os.ReadDir(dir)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "mail.templates %s", dir)
	}
	for _, e := range own {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".txt" && ext != ".html") {
			continue
		}
		if _, ok := files[e.Name()]; !ok {
			return nil, fault.New(fault.Usage, "mail.templates: %s replaces no template", filepath.Join(dir, e.Name())).
				WithHint("name it after a kind (plan_approved.txt, debit_failed.html…) or _layout.txt/_layout.html")
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fault.Wrap(fault.Usage, err, "mail.templates")
		}
		files[e.Name()] = templateFile{string(b), filepath.Join(dir, e.Name())}
	}
	return files, nil
}

func templateErr(from string, err error) error {
	return fault.Wrap(fault.Usage, err, "template %s", from)
}

// Render renders a notice: its subject (one line), text and HTML.
func (t *Templates) Render(v View) (Rendered, error) {
	tt, ok := t.text[v.Kind]
	if !ok {
		return Rendered{}, fault.New(fault.Usage, "%q is not a kind of notice", v.Kind)
	}
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", v); err != nil {
		return Rendered{}, renderErr(v.Kind, err)
	}
	if err := tt.ExecuteTemplate(&text, "main", v); err != nil {
		return Rendered{}, renderErr(v.Kind, err)
	}
	if err := t.html[v.Kind].ExecuteTemplate(&html, "main", v); err != nil {
		return Rendered{}, renderErr(v.Kind, err)
	}
	return Rendered{Subject: oneLine(subj.String()), Text: tidy(text.String()), HTML: html.String() + "\n"}, nil
}

func renderErr(k Kind, err error) error {
	var ee texttemplate.ExecError
	if errors.As(err, &ee) {
		err = ee.Err
	}
	return fault.Wrap(fault.Failure, err, "render the %s notice", k)
}

// oneLine joins a subject's lines. Only ASCII white space counts: the
// narrow no-break space of "3 941,00 €" stays.
func oneLine(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	return strings.Join(f, " ")
}

// tidy drops trailing spaces and runs of blank lines, so that a template
// may leave an optional line empty.
func tidy(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
