#!/bin/sh
export AWS_ACCESS_KEY_ID=AKIA<<b32:16>>  # <-secret
export AWS_SECRET_ACCESS_KEY=<<b64:40>>  # <-secret
docker login -u ci -p dckr_pat_<<b64url:27>>  # <-secret
kubectl --token=eyJhbGciOiJSUzI1NiIsImtpZCI6I<<b64url:20>>.eyJ<<b64url:120>>.<<b64url:86>> get pods  # <-secret
curl -H "Authorization: Bearer sk-proj-<<b64url:74>>T3BlbkFJ<<b64url:74>>" https://api  # <-secret
