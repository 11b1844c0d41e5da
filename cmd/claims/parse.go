package main

import "github.com/spf13/cobra"

// newParseCmd is completed in the next commit.
func newParseCmd(s *streams) *cobra.Command { return &cobra.Command{Use: "parse", Hidden: true} }
