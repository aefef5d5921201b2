#!/bin/sh
# Test helper for keepalived-style notify scripts: appends "TYPE NAME STATE PRIORITY" to the file in $1.
out=$1; shift
echo "$*" >> "$out"
