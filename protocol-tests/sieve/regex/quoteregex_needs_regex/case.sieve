require "variables";
set :quoteregex "q" "x";
