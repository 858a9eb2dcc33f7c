require ["include", "variables"];
set "n" "x";
include "${n}";
