INSERT DATA { <http://bad-inputs.test/a b> <http://bad-inputs.test/p> 1 }
