package encounters

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/x12claims/claims/pipeline"
)

func benchRead(b *testing.B, name string, newSource func([]byte) pipeline.EncounterSource) {
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", name))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, err := range newSource(data).Encounters(b.Context()) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/encounter")
}

// BenchmarkJSONL reads the JSON Lines sample file.
func BenchmarkJSONL(b *testing.B) {
	benchRead(b, "encounters.jsonl", func(data []byte) pipeline.EncounterSource {
		return NewJSONL("bench.jsonl", bytes.NewReader(data))
	})
}

// BenchmarkCSV reads the CSV sample file.
func BenchmarkCSV(b *testing.B) {
	benchRead(b, "encounters.csv", func(data []byte) pipeline.EncounterSource {
		return NewCSV("bench.csv", bytes.NewReader(data))
	})
}
