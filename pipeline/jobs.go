package pipeline

import (
	"context"
	"errors"
)

// SubmitReport counts what Submit did.
type SubmitReport struct {
	Build  BuildReport
	Upload UploadReport
}

// Submit builds files for every ready claim and uploads every built file
// (including files left over from an interrupted run). Upload runs even
// when building some file failed.
func (p *Pipeline) Submit(ctx context.Context) (SubmitReport, error) {
	var rep SubmitReport
	var errs []error
	var err error
	if rep.Build, err = p.Build(ctx); err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		errs = append(errs, err)
	}
	if rep.Upload, err = p.Upload(ctx); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}
