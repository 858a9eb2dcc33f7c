require "fileinto";
if header :contains "subject" "hello" { fileinto "Lists"; }
