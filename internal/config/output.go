package config

import "github.com/spf13/viper"

// The CSV dialects of -o csv (output.csv, --csv-dialect; issue 20).
const (
	// CSVRFC4180 is RFC 4180 as scripts read it: comma-separated UTF-8
	// without BOM, LF, amounts with a decimal point (the default).
	CSVRFC4180 = "rfc4180"
	// CSVExcelFR is what a French Excel or LibreOffice opens right: ;
	// separated UTF-8 with BOM, CRLF, comma decimals, DD/MM/YYYY dates,
	// codes and numbers kept as text, French headers.
	CSVExcelFR = "excel-fr"
)

// Output holds the defaults of the output formats.
type Output struct {
	// CSV is the dialect of -o csv when --csv-dialect is not given.
	CSV string `mapstructure:"csv" json:"csv" yaml:"csv"`
}

func setOutputDefaults(v *viper.Viper) { v.SetDefault("output.csv", CSVRFC4180) }

func (c *Config) validateOutput(errs *fieldErrs) {
	if !ValidCSVDialect(c.Output.CSV) {
		errs.add("output.csv", "%q is not a CSV dialect (rfc4180 or excel-fr)", c.Output.CSV)
	}
}

// ValidCSVDialect reports whether d names a CSV dialect.
func ValidCSVDialect(d string) bool { return d == CSVRFC4180 || d == CSVExcelFR }
