package rerouted

import "testing"

func TestNote(t *testing.T) {
	if Ever() {
		t.Fatal("Ever is true before any Note")
	}
	Note()
	Note()
	if !Ever() {
		t.Fatal("Ever is false after Note")
	}
}
