INSERT DATA { <http://bad-inputs.test/a> <http://bad-inputs.test/p> 1 
