require ["include", "variables"];
global "folder";
set "local" "inner";
if string :is "${folder}" "Lists" { set "folder" "Archive"; }
